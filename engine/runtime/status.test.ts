import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../config/diagnostic.js';
import { buildStatus, certificateStatus, notReadyReason, reloadReportOf } from './status.js';
import type { RuntimeState } from './status.js';

const base: RuntimeState = { startedAt: new Date('2030-01-01T00:00:00Z'), sessionsInFlight: 0, transactionsInFlight: 0, draining: false };
const diagnostic: Diagnostic = { code: 'RG_CFG_SCHEMA', severity: 'error', file: 'policies/topology.yaml', line: 3, column: 5, pointer: '/gateway', message: 'bad' };

describe('status snapshot', () => {
  it('counts whole days to expiry and flags certificates under 14 days', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const cert = (days: number) => ({ file: 'c.pem', subject: 'CN=x', fingerprint256: 'AA', validTo: new Date(now.getTime() + days * 86_400_000), usedBy: ['gateway.tls.certificate'] });
    expect(certificateStatus(cert(30.5), now)).toMatchObject({ daysToExpiry: 30, expiresSoon: false, validTo: '2030-01-31T12:00:00.000Z' });
    expect(certificateStatus(cert(13.9), now)).toMatchObject({ daysToExpiry: 13, expiresSoon: true });
    expect(certificateStatus(cert(-0.5), now)).toMatchObject({ daysToExpiry: -1, expiresSoon: true });
  });

  it('shows the last reload failure and its diagnostics before any graph loaded', () => {
    const at = new Date('2030-01-01T00:00:05Z');
    const report = reloadReportOf({ outcome: 'failed', trigger: 'start', at, revision: 'abc', diagnostics: [diagnostic], durationMs: 12 });
    const s = buildStatus(undefined, { ...base, lastReload: report }, at);
    expect(s.status).toBe('not-loaded');
    expect(s.lastReload).toEqual({ result: 'failure', at: at.toISOString(), durationMs: 12, trigger: 'start', revision: 'abc', summary: null, diagnostics: [diagnostic] });
    expect(s.listeners).toEqual([]);
    expect(notReadyReason(s)).toBe('config invalid, no graph loaded');
  });

  it('maps the reloader outcomes to success, unchanged and failure', () => {
    const at = new Date();
    expect(reloadReportOf({ outcome: 'applied', trigger: 'watch', at, revision: 'b', previousRevision: 'a', summary: '1 change', diagnostics: [], durationMs: 5 }).result).toBe('success');
    expect(reloadReportOf({ outcome: 'unchanged', trigger: 'signal', at, revision: 'a' }).result).toBe('unchanged');
  });

  it('reports draining as the reason before anything else', () => {
    const s = buildStatus(undefined, { ...base, draining: true });
    expect(s.status).toBe('draining');
    expect(notReadyReason(s)).toBe('draining');
  });

  it('uses the bound listeners from the runtime when given', () => {
    const s = buildStatus(undefined, { ...base, listeners: [{ address: '127.0.0.1', port: 40001, state: 'listening' }] });
    expect(s.listeners).toEqual([{ address: '127.0.0.1', port: 40001, state: 'listening' }]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

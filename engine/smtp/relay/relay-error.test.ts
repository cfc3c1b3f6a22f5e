import { describe, expect, it } from 'vitest';
import { RelayError, toUpstreamReply } from './relay-error.js';
import type { RelayErrorCode, RelayPhase } from './relay-error.js';

const ep = { host: 'mx.example.test', port: 25 };

describe('toUpstreamReply', () => {
  it.each<[RelayErrorCode, RelayPhase, number, string]>([
    ['RG_RELAY_CONNECT_REFUSED', 'connect', 421, '4.4.1'],
    ['RG_RELAY_CONNECT_TIMEOUT', 'connect', 421, '4.4.1'],
    ['RG_RELAY_TIMEOUT', 'greeting', 421, '4.4.1'],
    ['RG_RELAY_TLS_VERIFY', 'starttls', 421, '4.4.1'],
    ['RG_RELAY_NO_STARTTLS', 'starttls', 421, '4.4.1'],
    ['RG_RELAY_POOL_TIMEOUT', 'pool', 421, '4.4.1'],
    ['RG_RELAY_CONNECTION_LOST', 'data', 421, '4.4.2'],
    ['RG_RELAY_TIMEOUT', 'rcpt', 421, '4.4.2'],
  ])('maps %s in %s to %i %s naming host:port', (code, phase, reply, enhanced) => {
    const r = toUpstreamReply(new RelayError(code, phase, 'something broke', ep));
    expect(r).toMatchObject({ code: reply, enhanced });
    expect(r.lines[0]).toContain('mx.example.test:25');
    expect(r.lines[0]).toContain(code);
  });

  it('includes the receiving MTA reply that caused a setup failure', () => {
    const r = toUpstreamReply(new RelayError('RG_RELAY_GREETING', 'greeting', 'refused', { ...ep, reply: { code: 554, lines: ['go away'] } }));
    expect(r.lines[0]).toContain('554 go away');
  });

  it('reports misuse of the client as an internal error', () => {
    expect(toUpstreamReply(new RelayError('RG_RELAY_BAD_ARGUMENT', 'mail', 'line break', ep))).toMatchObject({ code: 451, enhanced: '4.3.0' });
  });

  it('turns anything else into 451 4.3.0', () => {
    expect(toUpstreamReply(new Error('boom'))).toMatchObject({ code: 451, enhanced: '4.3.0' });
  });
});

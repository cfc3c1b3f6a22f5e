import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki } from '../../test/helpers/pki.js';
import type { TestPki } from '../../test/helpers/pki.js';
import { checkValidity, describeCertificate, parseSubjectAltName } from './certificate-info.js';

const OPENSSL = '/usr/bin/openssl';
const requireTools = process.env['RELAYGUARD_REQUIRE_TOOLS'] === '1';
const haveOpenssl = existsSync(OPENSSL);
if (!haveOpenssl && !requireTools) console.warn(`skipping openssl comparisons: ${OPENSSL} is not installed`);

let dir: string;
let pki: TestPki;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-info-'));
  pki = makeTestPki(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('describeCertificate', () => {
  it.skipIf(!haveOpenssl && !requireTools)('prints the SHA-256 fingerprint exactly like openssl (openssl at /usr/bin/openssl)', () => {
    const out = execFileSync(OPENSSL, ['x509', '-noout', '-fingerprint', '-sha256', '-in', pki.gateway.certPath], { encoding: 'utf8' });
    const expected = out.trim().replace(/^sha256 Fingerprint=/i, '');
    expect(describeCertificate(pki.gateway.cert).fingerprint256).toBe(expected);
    expect(expected).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('describes subject, issuer, SANs and the CA flag', () => {
    const info = describeCertificate(pki.gateway.cert);
    expect(info.subject).toBe('CN=gw.example.test');
    expect(info.issuer).toBe('CN=relayguard test CA,O=relayguard');
    expect(info.sans).toEqual(['DNS:gw.example.test', 'IP:127.0.0.1']);
    expect(info.isCA).toBe(false);
    expect(info.selfSigned).toBe(false);
    const ca = describeCertificate(pki.ca.cert);
    expect(ca.isCA).toBe(true);
    expect(ca.selfSigned).toBe(true);
    expect(info.serial).toMatch(/^[0-9A-F]+$/);
  });

  it('counts whole days to expiry, negative when expired', () => {
    const info = describeCertificate(pki.gateway.cert);
    const later = new Date(info.validTo.getTime() + 3 * 86_400_000 + 1000);
    expect(describeCertificate(pki.gateway.cert, later).daysToExpiry).toBe(-4);
    const before = new Date(info.validTo.getTime() - 10 * 86_400_000 - 1000);
    expect(describeCertificate(pki.gateway.cert, before).daysToExpiry).toBe(10);
  });
});

describe('checkValidity', () => {
  it('tells valid, expiring, expired and not-yet-valid apart', () => {
    const info = describeCertificate(pki.gateway.cert);
    const day = 86_400_000;
    expect(checkValidity(pki.gateway.cert, new Date(info.validFrom.getTime() + day))).toBe('valid');
    expect(checkValidity(pki.gateway.cert, new Date(info.validTo.getTime() - 5 * day))).toBe('expiring');
    expect(checkValidity(pki.gateway.cert, new Date(info.validTo.getTime() + 1000))).toBe('expired');
    expect(checkValidity(pki.gateway.cert, new Date(info.validFrom.getTime() - 1000))).toBe('not-yet-valid');
  });
});

describe('parseSubjectAltName', () => {
  it('keeps quoted values with commas intact', () => {
    expect(parseSubjectAltName('DNS:a.test, IP Address:::1, DNS:"we, ird.test"')).toEqual(['DNS:a.test', 'IP:::1', 'DNS:we, ird.test']);
    expect(parseSubjectAltName(undefined)).toEqual([]);
  });
});

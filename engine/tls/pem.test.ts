import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { makeTestPki } from '../../test/helpers/pki.js';
import type { TestPki } from '../../test/helpers/pki.js';
import { classifyCertificateBytes, keyMatchesCertificate, readCertificateFile, readPrivateKeyFile } from './pem.js';

let dir: string;
let pki: TestPki;

function pkcs12Of(certPem: string, keyPem: string, password: string): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keyPem), [forge.pki.certificateFromPem(certPem)], password, {
    algorithm: '3des',
  });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

function pkcs7Of(...certPems: string[]): { der: Buffer; pem: string } {
  const p7 = forge.pkcs7.createSignedData();
  for (const pem of certPems) p7.addCertificate(forge.pki.certificateFromPem(pem));
  return { der: Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary'), pem: forge.pkcs7.messageToPem(p7) };
}

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-pem-'));
  pki = makeTestPki(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('classifyCertificateBytes', () => {
  it('tells every kind of file apart', () => {
    const der = new X509Certificate(pki.gateway.certPem).raw;
    const encryptedKey = createPrivateKey(pki.gateway.keyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    const cases: ReadonlyArray<readonly [string, Buffer, string]> = [
      ['PEM certificate', Buffer.from(pki.gateway.certPem), 'pem-certificate'],
      ['PEM chain with CRLF', Buffer.from((pki.gateway.certPem + pki.ca.certPem).replace(/\n/g, '\r\n')), 'pem-certificate'],
      ['PEM private key', Buffer.from(pki.gateway.keyPem), 'pem-private-key'],
      ['encrypted PEM key', Buffer.from(encryptedKey), 'pem-encrypted-private-key'],
      ['CSR', Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'), 'pem-other'],
      ['DER certificate', der, 'der-certificate'],
      ['PKCS#12', pkcs12Of(pki.gateway.certPem, pki.gateway.keyPem, 'pw'), 'pkcs12'],
      ['PKCS#7 DER', pkcs7Of(pki.gateway.certPem).der, 'pkcs7'],
      ['PKCS#7 PEM', Buffer.from(pkcs7Of(pki.gateway.certPem).pem), 'pkcs7'],
      ['random bytes', Buffer.concat([Buffer.from([0x30]), randomBytes(300)]), 'unknown'],
      ['text', Buffer.from('hello world\n'), 'unknown'],
      ['empty', Buffer.alloc(0), 'empty'],
      ['whitespace', Buffer.from('  \n\n'), 'empty'],
    ];
    for (const [label, bytes, kind] of cases) expect(classifyCertificateBytes(bytes), label).toBe(kind);
  });
});

describe('readCertificateFile', () => {
  it('reads every certificate of a chain file', () => {
    const path = write('chain.pem', pki.gateway.certPem + '\n' + pki.ca.certPem);
    const result = readCertificateFile(path);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.certificates.map((c) => c.fingerprint256)).toEqual([pki.gateway.cert.fingerprint256, pki.ca.cert.fingerprint256]);
    expect(result.pem).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('names a DER file and gives the conversion command', () => {
    const path = write('peer.crt', pki.gateway.cert.raw);
    const result = readCertificateFile(path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('RG_TLS_NOT_PEM_DER');
    expect(result.error.message).toBe(`${path} is a DER (binary) certificate, not PEM`);
    expect(result.error.hint).toContain(`openssl x509 -inform der -in ${path}`);
    expect(result.error.hint).toContain(`relayguard certs import ${path} --name NAME`);
  });

  it('names a PKCS#12 bundle and says how to extract the certificate', () => {
    const path = write('peer.p12', pkcs12Of(pki.gateway.certPem, pki.gateway.keyPem, 'pw'));
    const result = readCertificateFile(path);
    expect(result.ok ? undefined : result.error.code).toBe('RG_TLS_NOT_PEM_PKCS12');
    expect(result.ok ? '' : result.error.hint).toContain('--password');
  });

  it('says so when a private key is given instead of a certificate', () => {
    const result = readCertificateFile(pki.gateway.keyPath);
    expect(result.ok ? undefined : result.error).toMatchObject({ code: 'RG_TLS_NOT_A_CERTIFICATE', message: expect.stringContaining('private key') });
  });

  it.each([
    ['missing', () => join(dir, 'nope.pem'), 'RG_TLS_FILE_MISSING'],
    ['empty', () => write('empty.pem', ''), 'RG_TLS_EMPTY'],
    ['random', () => write('random.bin', randomBytes(64)), 'RG_TLS_NOT_A_CERTIFICATE'],
    ['damaged PEM', () => write('bad.pem', '-----BEGIN CERTIFICATE-----\nMIIBroken\n-----END CERTIFICATE-----\n'), 'RG_TLS_PEM_PARSE'],
  ])('rejects a %s file with its code', (_label, makePath, code) => {
    const result = readCertificateFile(makePath());
    expect(result.ok ? undefined : result.error.code).toBe(code);
  });
});

describe('readPrivateKeyFile', () => {
  it('reads a PEM key that matches its certificate', () => {
    const result = readPrivateKeyFile(pki.gateway.keyPath);
    if (!result.ok) throw new Error(result.error.message);
    expect(keyMatchesCertificate(result.key, pki.gateway.cert)).toBe(true);
    expect(keyMatchesCertificate(result.key, pki.ca.cert)).toBe(false);
  });

  it('refuses an encrypted key, a certificate and a missing file', () => {
    const encrypted = createPrivateKey(pki.gateway.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' });
    const codes = [write('enc.key', encrypted.toString()), pki.gateway.certPath, join(dir, 'missing.key')].map((p) => {
      const result = readPrivateKeyFile(p);
      return result.ok ? 'ok' : result.error.code;
    });
    expect(codes).toEqual(['RG_TLS_KEY_ENCRYPTED', 'RG_TLS_NOT_A_KEY', 'RG_TLS_FILE_MISSING']);
  });

  it('names a DER key and gives the conversion command', () => {
    const der = createPrivateKey(pki.gateway.keyPem).export({ type: 'pkcs8', format: 'der' });
    const result = readPrivateKeyFile(write('key.der', der));
    expect(result.ok ? undefined : result.error).toMatchObject({ code: 'RG_TLS_NOT_PEM_DER', hint: expect.stringContaining('openssl pkey -inform der') });
  });
});

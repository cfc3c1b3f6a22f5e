// Certificate material for golden config cases, generated at test time (keys are never committed).
import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import forge from 'node-forge';
import { createSelfSignedCertificate } from '../../engine/tls/ca.js';
import { makeTestPki, pooledKeyPem } from '../helpers/pki.js';
import type { TestCert, TestPki } from '../helpers/pki.js';

/** What a case's expected.json may ask for, by file: `"pki": { "certs/gateway.crt.pem": "gateway.cert" }`. */
export type PkiMaterial =
  | 'gateway.cert'
  | 'gateway.key'
  | 'gateway.cert.der'
  | 'gateway.p12'
  | 'ca.cert'
  | 'peer.cert'
  | 'other.key'
  | 'expired.cert'
  | 'expired.key'
  | 'expiring.cert'
  | 'not-yet-valid.cert';

export interface CasePki {
  write(dir: string, relative: string, material: PkiMaterial): void;
}

const DAY_MS = 86_400_000;

export function makeCasePki(dir: string): CasePki {
  const pki = makeTestPki(dir);
  const made = new Map<string, TestCert>();
  const once = (name: string, make: (p: TestPki) => TestCert): TestCert => {
    let cert = made.get(name);
    if (!cert) {
      cert = make(pki);
      made.set(name, cert);
    }
    return cert;
  };
  const peer = () => once('peer', (p) => p.issue('corp-postfix', ['corp-postfix.example.test']));
  const other = () => once('other', (p) => p.issue('other', ['other.example.test'], { freshKey: true }));
  const expired = () => once('expired', (p) => p.issue('expired', ['gw.example.test'], { expired: true }));
  // Self-signed (a pinned peer certificate) and ten days and an hour from expiry, so messages say "in 10 days".
  const expiring = () =>
    once('expiring', () => {
      const issued = createSelfSignedCertificate({ commonName: 'corp-postfix.example.test', hostnames: ['corp-postfix.example.test'], key: pooledKeyPem(), notAfter: new Date(Date.now() + 10 * DAY_MS + 3_600_000) });
      return { name: 'expiring', certPath: '', keyPath: '', certPem: issued.certPem, keyPem: issued.keyPem, cert: new X509Certificate(issued.certPem) };
    });
  const future = () => once('future', (p) => p.issue('future', ['corp-postfix.example.test'], { notYetValid: true }));
  const bytes = (material: PkiMaterial): Buffer | string => {
    switch (material) {
      case 'gateway.cert':
        return pki.gateway.certPem;
      case 'gateway.key':
        return pki.gateway.keyPem;
      case 'gateway.cert.der':
        return pki.gateway.cert.raw;
      case 'gateway.p12':
        return pkcs12(pki.gateway);
      case 'ca.cert':
        return pki.ca.certPem;
      case 'peer.cert':
        return peer().certPem;
      case 'other.key':
        return other().keyPem;
      case 'expired.cert':
        return expired().certPem;
      case 'expired.key':
        return expired().keyPem;
      case 'expiring.cert':
        return expiring().certPem;
      case 'not-yet-valid.cert':
        return future().certPem;
      default: {
        const never: never = material;
        throw new Error(`unknown pki material ${String(never)}`);
      }
    }
  };
  return {
    write(caseDir, relative, material) {
      const path = join(caseDir, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes(material));
    },
  };
}

function pkcs12(cert: TestCert): Buffer {
  const asn = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(cert.keyPem), [forge.pki.certificateFromPem(cert.certPem)], 'secret', { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');
}

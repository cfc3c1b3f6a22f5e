// Real certificates for tests, written as PEM files into a temp dir.
// RSA key generation dominates the cost, so keys are pooled per process and reused across certificates.
import { X509Certificate } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, createSelfSignedCertificate, generateRsaKeyPem, issueCertificate } from '../../engine/tls/ca.js';
import type { CertificateAuthority, IssuedCertificate } from '../../engine/tls/ca.js';

export interface IssueTestOptions {
  readonly expired?: boolean;
  readonly notYetValid?: boolean;
  readonly selfSigned?: boolean;
  /** Signed by a second CA that the test trust lists do not contain. */
  readonly otherCa?: boolean;
  readonly isCA?: boolean;
  /** Generate a fresh key instead of a pooled one (e.g. to test key/certificate mismatch). */
  readonly freshKey?: boolean;
}

export interface TestCert {
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: X509Certificate;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: TestCert;
  /** A second CA that no test trust list contains; created (and written to dir) on first use. */
  readonly otherCa: TestCert;
  readonly gateway: TestCert;
  issue(name: string, hostnames: readonly string[], opts?: IssueTestOptions): TestCert;
}

export const GATEWAY_HOSTNAME = 'gw.example.test';

// RSA-2048 generation costs up to a second on a loaded CI machine, so every process makes as few as it can.
const KEY_POOL_SIZE = 3;
const keyPool: string[] = [];
let poolIndex = 0;
interface CachedMaterial {
  readonly main: CertificateAuthority;
  /** The gateway's key is never shared with a peer, so "wrong key" tests cannot pass by accident. */
  readonly gatewayKey: string;
}
let cached: CachedMaterial | undefined;
let cachedOther: CertificateAuthority | undefined;

/** A key from the per-process pool for peer certificates; two peers may share a key (pass freshKey to avoid it),
 * but no peer shares the gateway's or a CA's key. */
export function pooledKeyPem(): string {
  if (keyPool.length < KEY_POOL_SIZE) {
    const key = generateRsaKeyPem();
    keyPool.push(key);
    return key;
  }
  const key = keyPool[poolIndex++ % KEY_POOL_SIZE];
  if (key === undefined) throw new Error('key pool is empty');
  return key;
}

function material(): CachedMaterial {
  cached ??= {
    main: createCertificateAuthority({ commonName: 'relayguard test CA', key: generateRsaKeyPem() }),
    gatewayKey: generateRsaKeyPem(),
  };
  return cached;
}

/** Made on first use: most tests never need a second CA. */
function otherAuthority(): CertificateAuthority {
  cachedOther ??= createCertificateAuthority({ commonName: 'someone else CA', organization: 'elsewhere', key: generateRsaKeyPem() });
  return cachedOther;
}

function writeTestCert(dir: string, name: string, issued: IssuedCertificate): TestCert {
  const certPath = join(dir, `${name}.crt.pem`);
  const keyPath = join(dir, `${name}.key.pem`);
  writeFileSync(certPath, issued.certPem);
  writeFileSync(keyPath, issued.keyPem, { mode: 0o600 });
  return { name, certPath, keyPath, certPem: issued.certPem, keyPem: issued.keyPem, cert: new X509Certificate(issued.certPem) };
}

function validityFor(opts: IssueTestOptions): { notBefore?: Date; notAfter?: Date } {
  const day = 86_400_000;
  if (opts.expired) return { notBefore: new Date(Date.now() - 400 * day), notAfter: new Date(Date.now() - 2 * day) };
  if (opts.notYetValid) return { notBefore: new Date(Date.now() + 2 * day), notAfter: new Date(Date.now() + 400 * day) };
  return {};
}

export function makeTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  const cas = material();
  const ca = writeTestCert(dir, 'ca', cas.main);
  let otherCa: TestCert | undefined;
  const other = (): TestCert => (otherCa ??= writeTestCert(dir, 'other-ca', otherAuthority()));
  const issueWithKey = (name: string, hostnames: readonly string[], opts: IssueTestOptions, key: string): TestCert => {
    const request = {
      commonName: hostnames[0] ?? name,
      hostnames,
      isCA: opts.isCA ?? false,
      key,
      ...validityFor(opts),
    };
    // Writing other-ca.crt.pem beside what it signs lets a test trust it when it wants to.
    if (opts.otherCa) other();
    const issuer = opts.otherCa ? otherAuthority() : cas.main;
    const issued = opts.selfSigned ? createSelfSignedCertificate(request) : issueCertificate(issuer, request);
    return writeTestCert(dir, name, issued);
  };
  const issue = (name: string, hostnames: readonly string[], opts: IssueTestOptions = {}): TestCert =>
    issueWithKey(name, hostnames, opts, opts.freshKey ? generateRsaKeyPem() : pooledKeyPem());
  const gateway = issueWithKey('gateway', [GATEWAY_HOSTNAME, '127.0.0.1'], {}, cas.gatewayKey);
  return {
    dir,
    ca,
    get otherCa(): TestCert {
      return other();
    },
    gateway,
    issue,
  };
}

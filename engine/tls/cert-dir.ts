// The certs/ directory that `certs init` and `certs issue` manage: a local CA, the gateway's own
// key and certificate, peer MTA material under peers/, and the public certificates under trusted/.
// Only import, probe --save and init --example-peers write trusted/: a trust entry is a decision an
// operator makes, never a side effect of minting a certificate.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from './ca.js';
import type { CertificateAuthority, IssuedCertificate } from './ca.js';

export interface CertDirLayout {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly gatewayCert: string;
  readonly gatewayKey: string;
  readonly peersDir: string;
  readonly trustedDir: string;
}

export interface PeerPaths {
  readonly cert: string;
  readonly key: string;
  readonly trusted: string;
}

export type CertDirErrorCode = 'RG_CERTS_EXISTS' | 'RG_CERTS_NO_CA' | 'RG_CERTS_BAD_NAME' | 'RG_CERTS_WRITE';

export interface CertDirError {
  readonly code: CertDirErrorCode;
  readonly message: string;
  readonly hint: string;
}

export type CertDirResult =
  | { readonly ok: true; readonly written: readonly string[]; readonly skipped: boolean }
  | { readonly ok: false; readonly error: CertDirError };

/** Peers the example config in policies/ names, so it validates on a fresh clone. */
export const EXAMPLE_PEERS: readonly { readonly name: string; readonly hostnames: readonly string[] }[] = [
  { name: 'corp-postfix', hostnames: ['corp-postfix.example.test', 'localhost', '127.0.0.1', '::1'] },
  { name: 'mx-out-1', hostnames: ['mx-out-1.example.test', 'localhost', '127.0.0.1', '::1'] },
  { name: 'mx-out-2', hostnames: ['mx-out-2.example.test', 'localhost', '127.0.0.1', '::1'] },
];

export function certDirLayout(dir: string): CertDirLayout {
  return {
    dir,
    caCert: join(dir, 'ca.crt.pem'),
    caKey: join(dir, 'ca.key.pem'),
    gatewayCert: join(dir, 'gateway.crt.pem'),
    gatewayKey: join(dir, 'gateway.key.pem'),
    peersDir: join(dir, 'peers'),
    trustedDir: join(dir, 'trusted'),
  };
}

export function peerPaths(layout: CertDirLayout, name: string): PeerPaths {
  return { cert: join(layout.peersDir, `${name}.crt.pem`), key: join(layout.peersDir, `${name}.key.pem`), trusted: join(layout.trustedDir, `${name}.crt.pem`) };
}

export function isValidCertName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) && !name.includes('..');
}

export function defaultGatewayHostnames(): string[] {
  return [osHostname().toLowerCase() || 'localhost', 'localhost', '127.0.0.1', '::1'];
}

export interface InitOptions {
  readonly dir: string;
  /** First name is the CN; localhost and loopback addresses are added when absent. */
  readonly hostnames?: readonly string[];
  readonly ifMissing?: boolean;
  readonly force?: boolean;
  readonly days?: number;
  /** Also issue and trust EXAMPLE_PEERS (the example config's set-up, `npm install`); never for a real directory. */
  readonly examplePeers?: boolean;
}

export function initCertDir(opts: InitOptions): CertDirResult {
  const layout = certDirLayout(opts.dir);
  if (opts.ifMissing && existsSync(layout.gatewayCert)) return { ok: true, written: [], skipped: true };
  if (!opts.force && (existsSync(layout.gatewayCert) || existsSync(layout.gatewayKey))) {
    return fail('RG_CERTS_EXISTS', `${layout.gatewayCert} already exists`, 'pass --force to replace the CA and gateway certificates, or --if-missing to keep them');
  }
  try {
    const written: string[] = [];
    const ca = !opts.force ? loadCa(layout) : undefined;
    const authority = ca ?? createCertificateAuthority({ commonName: 'relayguard local CA', days: 3650 });
    if (!ca) written.push(...writePair(layout.caCert, layout.caKey, authority));
    const names = withLoopback(opts.hostnames && opts.hostnames.length > 0 ? opts.hostnames : defaultGatewayHostnames());
    const gateway = issueCertificate(authority, { commonName: names[0] ?? 'localhost', hostnames: names, ...(opts.days ? { days: opts.days } : {}) });
    written.push(...writePair(layout.gatewayCert, layout.gatewayKey, gateway));
    if (opts.examplePeers) written.push(...writeExamplePeers(layout, authority, opts.force ?? false));
    return { ok: true, written, skipped: false };
  } catch (err) {
    return fail('RG_CERTS_WRITE', `cannot write certificates to ${opts.dir}: ${err instanceof Error ? err.message : String(err)}`, 'check that the directory is writable');
  }
}

function writeExamplePeers(layout: CertDirLayout, authority: CertificateAuthority, force: boolean): string[] {
  const written: string[] = [];
  for (const peer of EXAMPLE_PEERS) {
    const paths = peerPaths(layout, peer.name);
    if (!force && existsSync(paths.cert)) continue;
    const issued = issueCertificate(authority, { commonName: peer.hostnames[0] ?? peer.name, hostnames: peer.hostnames });
    written.push(...writePair(paths.cert, paths.key, issued));
    writeFileMode(paths.trusted, issued.certPem, 0o644);
    written.push(paths.trusted);
  }
  written.push(...writeGitignore(layout.dir));
  return written;
}

export interface IssueOptions {
  readonly dir: string;
  readonly name: string;
  readonly hostnames: readonly string[];
  readonly days?: number;
  readonly force?: boolean;
}

export function issuePeer(opts: IssueOptions): CertDirResult {
  if (!isValidCertName(opts.name)) {
    return fail('RG_CERTS_BAD_NAME', `"${opts.name}" is not a usable certificate name`, 'use letters, digits, ".", "_" and "-", e.g. the peer name from topology.yaml');
  }
  const layout = certDirLayout(opts.dir);
  const ca = loadCa(layout);
  if (!ca) return fail('RG_CERTS_NO_CA', `no local CA in ${opts.dir} (${layout.caCert}, ${layout.caKey})`, `create it first: relayguard certs init --dir ${opts.dir}`);
  const paths = peerPaths(layout, opts.name);
  if (!opts.force && existsSync(paths.cert)) return fail('RG_CERTS_EXISTS', `${paths.cert} already exists`, 'pass --force to replace it');
  const hostnames = opts.hostnames.length > 0 ? opts.hostnames : [opts.name];
  try {
    const issued = issueCertificate(ca, { commonName: hostnames[0] ?? opts.name, hostnames, ...(opts.days ? { days: opts.days } : {}) });
    return { ok: true, written: writePair(paths.cert, paths.key, issued), skipped: false };
  } catch (err) {
    return fail('RG_CERTS_WRITE', `cannot issue ${opts.name}: ${err instanceof Error ? err.message : String(err)}`, 'check the CA files and that the directory is writable');
  }
}

function fail(code: CertDirErrorCode, message: string, hint: string): CertDirResult {
  return { ok: false, error: { code, message, hint } };
}

function loadCa(layout: CertDirLayout): CertificateAuthority | undefined {
  if (!existsSync(layout.caCert) || !existsSync(layout.caKey)) return undefined;
  return { certPem: readFileSync(layout.caCert, 'utf8'), keyPem: readFileSync(layout.caKey, 'utf8') };
}

function withLoopback(names: readonly string[]): string[] {
  return [...new Set([...names, 'localhost', '127.0.0.1', '::1'])];
}

function writePair(certPath: string, keyPath: string, issued: IssuedCertificate): string[] {
  writeFileMode(certPath, issued.certPem, 0o644);
  writeFileMode(keyPath, issued.keyPem, 0o600);
  return [certPath, keyPath];
}

export function writeFileMode(path: string, content: string, mode: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content, { mode });
  // writeFileSync keeps the mode of an existing file; keys must end up 0600 even when replaced.
  chmodSync(path, mode);
}

function writeGitignore(dir: string): string[] {
  const path = join(dir, '.gitignore');
  if (existsSync(path)) return [];
  writeFileSync(path, '# private keys never belong in git\n*.key.pem\n');
  return [path];
}

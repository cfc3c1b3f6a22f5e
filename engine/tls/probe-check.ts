// `certs probe` end to end: find the peer in the topology, connect like the gateway would (presenting
// the gateway certificate), and verify the presented chain against that peer's trust list.
import { existsSync, readdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { certDirLayout } from './cert-dir.js';
import { loadTlsIdentity } from './identity.js';
import { readCertificateFile } from './pem.js';
import type { TlsFileError } from './pem.js';
import { probePeer } from './probe.js';
import type { ProbeFailure, ProbeSuccess } from './probe.js';
import { findPeerByAddress, readTopologyTlsRefs } from './topology-refs.js';
import type { PeerTlsRef } from './topology-refs.js';
import { anchorPems, buildTrustStore, verifyPeer } from './trust.js';
import type { PeerVerification, TrustSource } from './trust.js';

export interface ProbeCheckOptions {
  readonly host: string;
  readonly port: number;
  readonly starttls: boolean;
  readonly servername?: string;
  readonly configDir?: string;
  /** Explicit trust files (relative to the working directory); replace the topology's list. */
  readonly trust: readonly string[];
  /** Certificate directory whose trusted/ files and ca.crt.pem serve as the trust list when neither
   * --trust nor a topology entry for this address gives one. */
  readonly certDir?: string;
  readonly timeoutMs: number;
  readonly ehloName?: string;
  readonly now?: Date;
}

export interface ProbeCheck {
  readonly probe: ProbeSuccess | ProbeFailure;
  readonly peer?: PeerTlsRef;
  readonly trustFiles: readonly string[];
  /** Where the trust list came from. */
  readonly trustSource: 'option' | 'topology' | 'cert-dir' | 'none';
  readonly trustProblems: readonly TlsFileError[];
  /** Absent when there was no trust list or no connection. */
  readonly verification?: PeerVerification;
  readonly hostnameChecked?: string;
  readonly notes: readonly string[];
}

export async function runProbeCheck(opts: ProbeCheckOptions): Promise<ProbeCheck> {
  const notes: string[] = [];
  const topo = opts.configDir !== undefined ? readTopologyTlsRefs(opts.configDir) : undefined;
  if (topo && !topo.ok) notes.push(`config not used: ${topo.message}`);
  const refs = topo?.ok ? topo.refs : undefined;
  const peer = refs ? findPeerByAddress(refs, opts.host, opts.port) : undefined;
  if (refs && !peer && opts.trust.length === 0) notes.push(`no receiver or reflect listener at ${opts.host}:${opts.port} in ${refs.file}`);
  const identity = refs?.certificate && refs.key ? loadTlsIdentity(refs.certificate, refs.key) : undefined;
  if (identity && !identity.ok) notes.push(`not presenting the gateway certificate: ${identity.error.message}`);
  const servername = opts.servername ?? peer?.connect?.serverName ?? (isIP(opts.host) === 0 ? opts.host : undefined);
  const { files: trustFiles, source: trustSource } = chooseTrustFiles(opts, peer);
  const { sources, problems } = readTrustFiles(trustFiles);
  const trust = buildTrustStore(sources);
  const probe = await probePeer({
    ca: anchorPems(trust),
    host: opts.host,
    port: opts.port,
    starttls: opts.starttls,
    timeoutMs: opts.timeoutMs,
    ehloName: opts.ehloName ?? refs?.gatewayHostname ?? 'relayguard.localhost',
    ...(servername ? { servername } : {}),
    ...(identity?.ok ? { identity: { certPem: identity.identity.certPem, keyPem: identity.identity.keyPem } } : {}),
  });
  const base = { probe, ...(peer ? { peer } : {}), trustFiles, trustSource, trustProblems: problems, notes };
  if (!probe.ok || trustFiles.length === 0) return base;
  const checkHost = hostnameToCheck(opts, peer, servername);
  const verification = verifyPeer(probe.chain, trust, { ...(checkHost ? { hostname: checkHost } : {}), ...(opts.now ? { now: opts.now } : {}) });
  return { ...base, verification, ...(checkHost ? { hostnameChecked: checkHost } : {}) };
}

/** The gateway checks names only where the topology says verifyHostname; an explicit --servername asks for it too. */
function hostnameToCheck(opts: ProbeCheckOptions, peer: PeerTlsRef | undefined, servername: string | undefined): string | undefined {
  if (opts.servername) return opts.servername;
  return peer?.connect?.verifyHostname ? servername ?? opts.host : undefined;
}

function chooseTrustFiles(opts: ProbeCheckOptions, peer: PeerTlsRef | undefined): { files: readonly string[]; source: ProbeCheck['trustSource'] } {
  if (opts.trust.length > 0) return { files: opts.trust.map((t) => resolve(t)), source: 'option' };
  if (peer) return { files: peer.trust, source: 'topology' };
  const fallback = opts.certDir !== undefined ? certDirTrustFiles(opts.certDir) : [];
  return fallback.length > 0 ? { files: fallback, source: 'cert-dir' } : { files: [], source: 'none' };
}

function certDirTrustFiles(dir: string): string[] {
  const layout = certDirLayout(dir);
  const trusted = existsSync(layout.trustedDir)
    ? readdirSync(layout.trustedDir)
        .filter((f) => /\.(pem|crt)$/i.test(f))
        .sort()
        .map((f) => resolve(layout.trustedDir, f))
    : [];
  return [...(existsSync(layout.caCert) ? [resolve(layout.caCert)] : []), ...trusted];
}

function readTrustFiles(files: readonly string[]): { sources: TrustSource[]; problems: TlsFileError[] } {
  const sources: TrustSource[] = [];
  const problems: TlsFileError[] = [];
  for (const file of files) {
    const read = readCertificateFile(file);
    if (read.ok) sources.push({ file, certificates: read.certificates });
    else problems.push(read.error);
  }
  return { sources, problems };
}

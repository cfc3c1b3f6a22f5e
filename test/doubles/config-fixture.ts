// Config directories for runtime tests: a plain-text topology (no TLS) on fixed loopback ports, and
// the ways operators and tools change files (atomic rename, truncate-then-write, ConfigMap symlink swap).
import { existsSync, mkdirSync, openSync, closeSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';

export interface PlainTopology {
  readonly listen: readonly { readonly port: number; readonly proxyTrusted?: readonly string[] }[];
  readonly receiverPort: number;
  readonly adminPort?: number;
  readonly graceMs?: number;
  /** Upstream allow-list (default 127.0.0.0/8). */
  readonly upstreamAddresses?: readonly string[];
  /** Any text: changes the revision hash without changing the graph's meaning. */
  readonly note?: string;
  readonly incidentsPath?: string;
  /** The gateway's certificate and key: the inbound leg then offers STARTTLS (optional). */
  readonly tls?: { readonly certificate: string; readonly key: string };
}

export function plainTopology(c: PlainTopology): TopologyFile {
  const addresses = c.upstreamAddresses ?? ['127.0.0.0/8'];
  const listen = c.listen.map((l) => ({ address: '127.0.0.1', port: l.port, ...(l.proxyTrusted ? { proxyProtocol: { trusted: [...l.proxyTrusted] as [string, ...string[]] } } : {}) }));
  const [firstListener] = listen;
  if (firstListener === undefined) throw new Error('plainTopology needs a listener');
  return {
    version: 1,
    gateway: {
      hostname: 'gw.example.test',
      listen: [firstListener, ...listen.slice(1)],
      ...(c.adminPort !== undefined ? { admin: { address: '127.0.0.1', port: c.adminPort } } : {}),
      incidents: { path: c.incidentsPath ?? '../incidents.jsonl' },
      spool: { dir: '../spool' },
      ...(c.tls !== undefined ? { tls: { certificate: c.tls.certificate, key: c.tls.key, authenticate: true } } : {}),
      drain: { graceMs: c.graceMs ?? 5000 },
      ...(c.tls !== undefined ? {} : { loop: { secretFile: testLoopSecretFile() } }),
    },
    upstreams: [{ name: 'local', addresses: [addresses[0] ?? '127.0.0.0/8', ...addresses.slice(1)], mode: 'forward', tls: { starttls: c.tls !== undefined ? 'optional' : 'disabled', clientCertificate: 'none', trust: [] } }],
    receivers: [{ name: 'mx', host: '127.0.0.1', port: c.receiverPort, tls: { starttls: 'disabled', trust: [], verifyHostname: false } }],
    routes: [{ domains: ['*'], receivers: ['mx'] }],
  };
}

/**
 * A loop secret for plain topologies (no gateway key to derive one from), shared by every test
 * process; written once, never rewritten, so no watcher sees it change.
 */
function testLoopSecretFile(): string {
  const path = join(tmpdir(), 'relayguard-test-loop.secret');
  if (!existsSync(path)) writeFileSync(path, 'relayguard-test-loop-secret-0123456789abcdef\n');
  return path;
}

export function topologyText(c: PlainTopology): string {
  return `${c.note !== undefined ? `# ${c.note}\n` : ''}${stringify(plainTopology(c))}`;
}

export function policyText(p: PolicyFile): string {
  return stringify(p);
}

/** A blocking policy on a subject keyword: the simplest behaviour a reload can visibly change. */
export function blockSubjectPolicy(word: string): PolicyFile {
  return {
    version: 1,
    policies: [
      {
        name: `block-${word}`,
        severity: 'high',
        mode: 'enforce',
        match: { any: [{ keywords: { words: [word], in: ['subject'], min: 1 } }] },
        action: { type: 'block', reply: `550 5.7.1 blocked: ${word}` },
      },
    ],
  } as PolicyFile;
}

/** Editors and config management: write a temp file beside the target, then rename over it. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** `>` redirection and many tools: truncate the file in place, then write it (a reader may see it empty). */
export function writeTruncateThenWrite(path: string, text: string): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, text, 0);
  } finally {
    closeSync(fd);
  }
}

/**
 * A Kubernetes ConfigMap volume: `dir/NAME -> ..data/NAME`, `..data -> ..<timestamp>`; an update writes a
 * new timestamped directory and swaps `..data` with one rename of a symlink. Returns the update function.
 */
export function configMapDir(dir: string, files: Readonly<Record<string, string>>): (next: Readonly<Record<string, string>>) => void {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  let current: string | undefined;
  const publish = (content: Readonly<Record<string, string>>): void => {
    const version = `..2026_11_29_05_00_${String(n++).padStart(2, '0')}.000000001`;
    mkdirSync(join(dir, version));
    for (const [name, text] of Object.entries(content)) writeFileSync(join(dir, version, name), text);
    symlinkSync(version, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    for (const name of Object.keys(content)) {
      try {
        symlinkSync(join('..data', name), join(dir, name));
      } catch {
        // The user-visible link exists already and now points into the new ..data.
      }
    }
    if (current !== undefined) rmSync(join(dir, current), { recursive: true, force: true });
    current = version;
  };
  publish(files);
  return publish;
}

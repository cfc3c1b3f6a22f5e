// A lenient read of topology.yaml for the certificate tools: which files the gateway identity and
// each peer's trust list name, and where each peer listens. `certs list/probe` must work even while
// the rest of the config is invalid, so this reads plain YAML without schema validation.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface PeerTlsRef {
  readonly kind: 'upstream' | 'receiver';
  readonly name: string;
  /** Absolute trust file paths. */
  readonly trust: readonly string[];
  /** Topology key of the trust list, e.g. "receivers[mx-out-1].tls.trust". */
  readonly trustKey: string;
  /** Where the gateway connects to this peer: a receiver, or an upstream's reflect listener. */
  readonly connect?: { readonly host?: string; readonly port: number; readonly serverName?: string; readonly verifyHostname: boolean };
  /** Upstream source addresses/CIDRs (for matching a reflect probe's host). */
  readonly addresses: readonly string[];
}

export interface TopologyTlsRefs {
  readonly file: string;
  readonly gatewayHostname?: string;
  readonly certificate?: string;
  readonly key?: string;
  readonly peers: readonly PeerTlsRef[];
  /** Absolute file path → the topology keys that name it. */
  readonly usedBy: ReadonlyMap<string, readonly string[]>;
}

export type TopologyRefsResult =
  | { readonly ok: true; readonly refs: TopologyTlsRefs }
  | { readonly ok: false; readonly code: 'RG_TLS_TOPOLOGY_MISSING' | 'RG_TLS_TOPOLOGY_PARSE'; readonly message: string };

const TOPOLOGY_NAMES = ['topology.yaml', 'topology.yml', 'topology.json'] as const;

type Obj = Readonly<Record<string, unknown>>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function findTopologyFile(configDir: string): string | undefined {
  return TOPOLOGY_NAMES.map((n) => join(configDir, n)).find((p) => existsSync(p));
}

export function readTopologyTlsRefs(configDir: string): TopologyRefsResult {
  const file = findTopologyFile(configDir);
  if (!file) return { ok: false, code: 'RG_TLS_TOPOLOGY_MISSING', message: `no topology.yaml, topology.yml or topology.json in ${configDir}` };
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { ok: false, code: 'RG_TLS_TOPOLOGY_PARSE', message: `${file}: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { ok: true, refs: extractRefs(file, obj(doc)) };
}

function extractRefs(file: string, root: Obj): TopologyTlsRefs {
  const base = dirname(resolve(file));
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(base, p));
  const gateway = obj(root['gateway']);
  const gatewayTls = obj(gateway['tls']);
  const peers = [...arr(root['upstreams']).map((u, i) => upstreamRef(obj(u), i, base)), ...arr(root['receivers']).map((r, i) => receiverRef(obj(r), i, base))];
  const usedBy = new Map<string, string[]>();
  const add = (path: string | undefined, key: string): void => {
    if (path !== undefined) usedBy.set(path, [...(usedBy.get(path) ?? []), key]);
  };
  const certificate = abs(str(gatewayTls['certificate']));
  const key = abs(str(gatewayTls['key']));
  add(certificate, 'gateway.tls.certificate');
  add(key, 'gateway.tls.key');
  for (const peer of peers) for (const t of peer.trust) add(t, peer.trustKey);
  const gatewayHostname = str(gateway['hostname']);
  return {
    file,
    ...(gatewayHostname ? { gatewayHostname } : {}),
    ...(certificate ? { certificate } : {}),
    ...(key ? { key } : {}),
    peers,
    usedBy,
  };
}

function trustList(tls: Obj, base: string): string[] {
  return arr(tls['trust']).flatMap((t) => (typeof t === 'string' ? [resolve(base, t)] : []));
}

function upstreamRef(u: Obj, index: number, base: string): PeerTlsRef {
  const name = str(u['name']) ?? String(index);
  const reflect = obj(u['reflect']);
  const reflectTls = obj(reflect['tls']);
  const port = reflect['port'];
  const host = str(reflect['host']);
  const serverName = str(reflectTls['serverName']);
  return {
    kind: 'upstream',
    name,
    trust: trustList(obj(u['tls']), base),
    trustKey: `upstreams[${name}].tls.trust`,
    addresses: arr(u['addresses']).flatMap((a) => (typeof a === 'string' ? [a] : [])),
    ...(typeof port === 'number'
      ? { connect: { ...(host ? { host } : {}), port, ...(serverName ? { serverName } : {}), verifyHostname: reflectTls['verifyHostname'] === true } }
      : {}),
  };
}

function receiverRef(r: Obj, index: number, base: string): PeerTlsRef {
  const name = str(r['name']) ?? String(index);
  const tls = obj(r['tls']);
  const host = str(r['host']);
  const port = r['port'];
  const serverName = str(tls['serverName']);
  return {
    kind: 'receiver',
    name,
    trust: trustList(tls, base),
    trustKey: `receivers[${name}].tls.trust`,
    addresses: [],
    ...(typeof port === 'number'
      ? { connect: { ...(host ? { host } : {}), port, ...(serverName ? { serverName } : {}), verifyHostname: tls['verifyHostname'] !== false } }
      : {}),
  };
}

/** The configured peer the gateway would reach at host:port (a receiver, or an upstream's reflect listener). */
export function findPeerByAddress(refs: TopologyTlsRefs, host: string, port: number): PeerTlsRef | undefined {
  const receiver = refs.peers.find((p) => p.kind === 'receiver' && p.connect?.host === host && p.connect.port === port);
  if (receiver) return receiver;
  return refs.peers.find(
    (p) => p.kind === 'upstream' && p.connect?.port === port && (p.connect.host === host || (p.connect.host === undefined && matchesAddressList(p.addresses, host))),
  );
}

/** The host equals an entry or lies in one of its IPv4 CIDR blocks. */
function matchesAddressList(addresses: readonly string[], host: string): boolean {
  return addresses.some((a) => {
    const [ip, bits] = a.split('/');
    if (ip === host) return true;
    return bits !== undefined && ip !== undefined && ipv4InCidr(host, ip, Number(bits));
  });
}

function ipv4InCidr(host: string, network: string, bits: number): boolean {
  const toInt = (s: string): number | undefined => {
    const parts = s.split('.').map(Number);
    if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
    return parts.reduce((acc, n) => acc * 256 + n, 0);
  };
  const h = toInt(host);
  const n = toInt(network);
  if (h === undefined || n === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(h / size) === Math.floor(n / size);
}

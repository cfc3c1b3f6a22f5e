// Real DNS servers for MX tests, on loopback with private config and state dirs: knotd serving test
// zones (DNSSEC-signed by knot itself where asked) and unbound validating with those zones' DNSKEYs
// as trust anchors (stub zones to knot, no root hints). Both run in the foreground as our children
// and are killed by PID. A zone's records are written as zone-file lines relative to its origin.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, toolsRequired } from './tools.js';
import { freePort } from './ports.js';
import { startProcess, waitForPort } from './processes.js';
import type { OwnedProcess } from './processes.js';

export interface TestZone {
  readonly name: string;
  /** Zone-file lines after the SOA/NS, e.g. `@ 60 IN MX 10 mx1`. */
  readonly records: readonly string[];
  /** knot signs it (dnssec-signing: on) and unbound gets its DNSKEY as trust anchor. */
  readonly signed?: boolean;
  /** Signed, but unbound trusts a key that is not the zone's: every answer is bogus (SERVFAIL). */
  readonly bogus?: boolean;
  /** SOA minimum = negative-caching TTL (default 5). */
  readonly negativeTtl?: number;
}

export interface DnsFixture {
  readonly knotPort: number;
  readonly unboundPort: number;
  /** "127.0.0.1:PORT" of unbound, for gateway.dns.servers. */
  readonly resolver: string;
  readonly dir: string;
  /** Rewrites a zone's records (serial bumped) and has knot reload it. */
  updateZone(zone: TestZone): Promise<void>;
  /** dig through unbound, for failure messages. */
  dig(name: string, type: string): Promise<string>;
  logs(): string;
  stop(): Promise<void>;
}

/** knotd, knotc, unbound and dig, or why the tests skip (a failure under RELAYGUARD_REQUIRE_TOOLS=1). */
export function requireDnsTools(): boolean {
  const wanted: readonly [string, string][] = [
    ['knotd', 'knot'],
    ['knotc', 'knot'],
    ['unbound', 'unbound'],
    ['dig', 'bind9-dnsutils'],
  ];
  const missing = wanted.filter(([tool]) => findTool(tool) === undefined);
  if (missing.length === 0) return true;
  const reason = `${missing.map(([t, p]) => `${t} (Debian package ${p})`).join(', ')} not found`;
  if (toolsRequired) throw new Error(`RELAYGUARD_REQUIRE_TOOLS=1 but ${reason}`);
  process.stderr.write(`SKIP interop (MX/DNS): ${reason}\n`);
  return false;
}

function run(cmd: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: timeoutMs }, (err, stdout, stderr) => resolve(`${stdout}${stderr}${err ? `\n(exit: ${err.message})` : ''}`));
  });
}

let serial = Math.floor(Date.now() / 1000);

function zoneText(z: TestZone): string {
  serial += 1;
  return [
    `$ORIGIN ${z.name}.`,
    '$TTL 60',
    `@ 60 IN SOA ns.${z.name}. hostmaster.${z.name}. ${serial} 3600 600 86400 ${z.negativeTtl ?? 5}`,
    `@ 60 IN NS ns.${z.name}.`,
    'ns 60 IN A 127.0.0.1',
    ...z.records,
    '',
  ].join('\n');
}

function knotConf(dir: string, port: number, zones: readonly TestZone[]): string {
  return [
    'server:',
    `    rundir: "${dir}/run"`,
    `    listen: 127.0.0.1@${port}`,
    'database:',
    `    storage: "${dir}/db"`,
    'log:',
    `  - target: "${dir}/knot.log"`,
    '    any: info',
    'policy:',
    '  - id: test',
    '    algorithm: ecdsap256sha256',
    '    ksk-lifetime: 0',
    '    zsk-lifetime: 0',
    'template:',
    '  - id: default',
    `    storage: "${dir}/zones"`,
    '    file: "%s.zone"',
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    'zone:',
    ...zones.flatMap((z) => [`  - domain: ${z.name}`, ...(z.signed || z.bogus ? ['    dnssec-signing: on', '    dnssec-policy: test'] : [])]),
    '',
  ].join('\n');
}

function unboundConf(dir: string, port: number, knotPort: number, zones: readonly TestZone[], anchors: readonly string[]): string {
  return [
    'server:',
    '    interface: 127.0.0.1',
    `    port: ${port}`,
    '    do-ip6: no',
    '    do-daemonize: no',
    '    username: ""',
    '    chroot: ""',
    `    directory: "${dir}"`,
    `    pidfile: "${dir}/unbound.pid"`,
    `    logfile: "${dir}/unbound.log"`,
    '    use-syslog: no',
    '    verbosity: 1',
    '    access-control: 127.0.0.0/8 allow',
    '    do-not-query-localhost: no',
    '    module-config: "validator iterator"',
    '    qname-minimisation: no',
    '    harden-dnssec-stripped: yes',
    '    val-log-level: 2',
    // RFC 6761 gives "test." a built-in local zone in unbound; these tests serve it for real.
    '    local-zone: "test." nodefault',
    '    num-threads: 1',
    '    so-reuseport: no',
    ...anchors.map((a) => `    trust-anchor: "${a}"`),
    ...zones.flatMap((z) => ['stub-zone:', `    name: "${z.name}"`, `    stub-addr: 127.0.0.1@${knotPort}`]),
    'remote-control:',
    '    control-enable: no',
    '',
  ].join('\n');
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, logs: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`DNS fixture: ${what} not ready after ${timeoutMs} ms\n${logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startDnsFixture(zones: readonly TestZone[]): Promise<DnsFixture> {
  const knotd = findTool('knotd');
  const knotc = findTool('knotc');
  const unbound = findTool('unbound');
  const dig = findTool('dig');
  if (!knotd || !knotc || !unbound || !dig) throw new Error('knotd, knotc, unbound or dig not found');
  const dir = mkdtempSync(join(tmpdir(), 'rg-dns-'));
  for (const sub of ['run', 'db', 'zones', 'unbound']) mkdirSync(join(dir, sub));
  const knotPort = await freePort();
  const unboundPort = await freePort();
  for (const z of zones) writeFileSync(join(dir, 'zones', `${z.name}.zone`), zoneText(z));
  const knotConfPath = join(dir, 'knot.conf');
  writeFileSync(knotConfPath, knotConf(dir, knotPort, zones));
  const procs: OwnedProcess[] = [];
  const readLog = (file: string): string => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch {
      return '';
    }
  };
  const logs = (): string => `--- knot.log ---\n${readLog('knot.log')}\n--- unbound.log ---\n${readLog('unbound/unbound.log')}\n--- output ---\n${procs.map((p) => p.output()).join('\n')}`;
  const stop = async (): Promise<void> => {
    await Promise.all(procs.map((p) => p.stop('SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    procs.push(startProcess(knotd, ['-c', knotConfPath]));
    await waitForPort(knotPort, '127.0.0.1', 10_000);
    const anchors: string[] = [];
    for (const z of zones.filter((x) => x.signed || x.bogus)) {
      const key = await waitFor(
        `DNSKEY of ${z.name}`,
        async () => {
          const out = await run(dig, ['+short', '+norec', '-p', String(knotPort), '@127.0.0.1', z.name, 'DNSKEY']);
          return out.split('\n').find((l) => l.startsWith('257 '));
        },
        15_000,
        logs,
      );
      // A bogus zone's anchor is a key that never signed it: the key bytes reversed in base64 order.
      const data = z.bogus ? bogusKey(key) : key;
      anchors.push(`${z.name}. DNSKEY ${data}`);
    }
    writeFileSync(join(dir, 'unbound', 'unbound.conf'), unboundConf(join(dir, 'unbound'), unboundPort, knotPort, zones, anchors));
    procs.push(startProcess(unbound, ['-d', '-c', join(dir, 'unbound', 'unbound.conf')]));
    await waitFor('unbound', async () => ((await run(dig, ['+short', '+time=1', '+tries=1', '-p', String(unboundPort), '@127.0.0.1', `ns.${zones[0]?.name ?? 'test'}`, 'A'])).includes('127.0.0.1') ? true : undefined), 15_000, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    knotPort,
    unboundPort,
    resolver: `127.0.0.1:${unboundPort}`,
    dir,
    async updateZone(zone) {
      writeFileSync(join(dir, 'zones', `${zone.name}.zone`), zoneText(zone));
      const out = await run(knotc, ['-c', knotConfPath, '-b', 'zone-reload', zone.name]);
      if (!/OK/.test(out)) throw new Error(`knotc zone-reload ${zone.name}: ${out}`);
    },
    dig: (name, type) => run(dig, ['+dnssec', '-p', String(unboundPort), '@127.0.0.1', name, type]),
    logs,
    stop,
  };
}

/** "257 3 13 BASE64": same flags and algorithm, different key material (a valid-looking, wrong key). */
function bogusKey(line: string): string {
  const [flags, proto, alg, ...rest] = line.split(' ');
  const bytes = Buffer.from(rest.join(''), 'base64');
  bytes.reverse();
  return `${flags} ${proto} ${alg} ${bytes.toString('base64')}`;
}

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigDir } from '../config/load.js';
import { makeTestPki } from '../../test/helpers/pki.js';
import type { TestPki } from '../../test/helpers/pki.js';
import { buildGraph } from './build.js';
import { compileGraph } from './compile.js';
import type { RoutingGraph } from './types.js';

const NOW = new Date();

let root: string;
let pki: TestPki;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rg-graph-compile-'));
  pki = makeTestPki(join(root, 'certs'));
  pki.issue('mx-out-1', ['mx-out-1.example.test']);
  pki.issue('corp-postfix', ['corp-postfix.example.test']);
  pki.issue('stranger', ['stranger.example.test'], { freshKey: true });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

interface FixtureOptions {
  readonly gatewayTls?: string;
  readonly loop?: string;
  readonly extraUpstreams?: string;
}

let fixtureCount = 0;

/** A config dir in the shape of the contract's example, with real certificates. */
function writeConfig(opts: FixtureOptions = {}): string {
  const dir = join(root, `config-${fixtureCount++}`);
  mkdirSync(dir);
  const certs = join(root, 'certs');
  const gatewayTls = opts.gatewayTls ?? `{ certificate: ${certs}/gateway.crt.pem, key: ${certs}/gateway.key.pem, authenticate: true }`;
  writeFileSync(
    join(dir, 'topology.yaml'),
    `version: 1
gateway:
  hostname: gw.example.test
  listen:
    - { address: 127.0.0.1, port: 10025 }
    - { address: "::1", port: 10025, proxyProtocol: { trusted: ["127.0.0.0/8"] } }
  admin: { address: 127.0.0.1, port: 9025 }
  tls: ${gatewayTls}
  incidents: { path: ../var/incidents.jsonl }
${opts.loop ?? ''}
upstreams:
  - name: corp-postfix
    addresses: ["127.0.0.1/32", "::1"]
    mode: reflect
    reflect:
      port: 10026
      tls: { starttls: required, verifyHostname: false }
    tls:
      starttls: required
      clientCertificate: required
      trust: [${certs}/corp-postfix.crt.pem]
  - name: partner-relay
    addresses: ["192.0.2.0/24", "2001:db8::/64"]
    mode: forward
${opts.extraUpstreams ?? ''}
receivers:
  - name: mx-out-1
    host: 127.0.0.1
    port: 10030
    tls:
      starttls: required
      trust: [${certs}/mx-out-1.crt.pem, ${certs}/ca.crt.pem]
      serverName: mx-out-1.example.test
  - name: mx-out-2
    host: 127.0.0.2
    port: 10031

routes:
  - domains: ["example.org", "*.example.org"]
    receivers: [mx-out-1]
  - domains: ["*"]
    receivers: [mx-out-1, mx-out-2]
    strategy: round-robin
`,
  );
  writeFileSync(
    join(dir, 'cards.policy.yaml'),
    `version: 1
policies:
  - name: block-card-numbers
    severity: high
    match: { creditCardNumber: { min: 1 } }
    action: { type: block, reply: "550 5.7.1 Message blocked by data loss prevention policy" }
`,
  );
  return dir;
}

async function build(opts: FixtureOptions = {}): Promise<RoutingGraph> {
  const result = await buildGraph(writeConfig(opts), { now: NOW });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.graph) throw new Error('no graph');
  return result.graph;
}

describe('compileGraph on a realistic config', () => {
  let graph: RoutingGraph;
  beforeAll(async () => {
    graph = await build();
  });

  it('matches upstreams by longest prefix, IPv4-mapped included', () => {
    expect(graph.upstreamByAddress.lookup('127.0.0.1')?.name).toBe('corp-postfix');
    expect(graph.upstreamByAddress.lookup('::ffff:127.0.0.1')?.name).toBe('corp-postfix');
    expect(graph.upstreamByAddress.lookup('::1')?.name).toBe('corp-postfix');
    expect(graph.upstreamByAddress.lookup('192.0.2.77')?.name).toBe('partner-relay');
    expect(graph.upstreamByAddress.lookup('2001:db8::25')?.name).toBe('partner-relay');
    expect(graph.upstreamByAddress.lookup('127.0.0.2')).toBeUndefined();
  });

  it('routes by recipient domain, first match wins', () => {
    expect(graph.router.lookup('example.org')?.receivers.map((r) => r.name)).toEqual(['mx-out-1']);
    expect(graph.router.lookup('mail.example.org')?.index).toBe(0);
    expect(graph.router.lookup('example.test')?.receivers.map((r) => r.name)).toEqual(['mx-out-1', 'mx-out-2']);
    expect(graph.routes[1]?.strategy).toBe('round-robin');
    expect(graph.routes[0]?.strategy).toBe('failover');
  });

  it('builds TLS up front: server contexts for STARTTLS upstreams, client options per receiver', () => {
    const corp = graph.upstreams[0]!;
    expect(corp.inbound.secureContext).toBeDefined();
    expect(corp.inbound.serverOptions?.requestCert).toBe(true);
    expect(corp.inbound.trust.pinned.size + corp.inbound.trust.anchors.length).toBe(1);
    // Reflect mode verifies the re-injection listener against the upstream's own trust list.
    expect(corp.reflect?.tls.trust).toBe(corp.inbound.trust);
    expect(corp.reflect?.tls.serverName).toBeUndefined();
    expect(corp.reflect?.tls.verifyHostname).toBe(false);
    const mx1 = graph.receivers.get('mx-out-1')!;
    expect(mx1.tls.options.secureContext).toBeDefined();
    expect(mx1.tls.options.rejectUnauthorized).toBe(false);
    expect(mx1.tls.options.servername).toBe('mx-out-1.example.test');
    expect(mx1.tls.trust.anchors.length).toBe(1);
    expect(mx1.tls.trust.pinned.size).toBe(1);
  });

  it('applies schema defaults where the file is silent', () => {
    const partner = graph.upstreams[1]!;
    expect(partner.inbound.starttls).toBe('optional');
    expect(partner.inbound.clientCertificate).toBe('none');
    expect(partner.maxConnections).toBe(200);
    expect(partner.xclient).toBe(false);
    const mx2 = graph.receivers.get('mx-out-2')!;
    expect(mx2.tls.starttls).toBe('optional');
    expect(mx2.tls.verifyHostname).toBe(true);
    expect(mx2.tls.serverName).toBe('127.0.0.2');
    expect(mx2.tls.options.servername).toBeUndefined();
    expect(mx2.maxConnections).toBe(50);
    expect(graph.gateway.timeouts.dataMs).toBe(600_000);
    expect(graph.gateway.timeouts.sessionMs).toBe(0);
    expect(graph.gateway.inspection.onFailure).toBe('tempfail');
    expect(graph.gateway.spool.dir).toBe(join(tmpdir(), `relayguard-spool-${process.geteuid?.() ?? 'user'}`));
    expect(graph.gateway.incidents.path).toBe(join(graph.revision.dir, '..', 'var', 'incidents.jsonl'));
  });

  it('summarises certificates with the entries that use them, and lists every file', () => {
    const gateway = graph.certificates.find((c) => c.usedBy.includes('gateway.tls.certificate'));
    expect(gateway?.subject).toContain('gw.example.test');
    const mx = graph.certificates.find((c) => c.file.endsWith('mx-out-1.crt.pem'));
    expect(mx?.usedBy).toEqual(['receivers[mx-out-1].tls.trust']);
    expect(graph.files.some((f) => f.endsWith('topology.yaml'))).toBe(true);
    expect(graph.files.some((f) => f.endsWith('cards.policy.yaml'))).toBe(true);
    expect(graph.files.some((f) => f.endsWith('gateway.key.pem'))).toBe(true);
    expect(graph.files.some((f) => f.endsWith('corp-postfix.crt.pem'))).toBe(true);
  });

  it('derives the loop secret from the gateway key, deterministically', async () => {
    expect(graph.gateway.loopSecretSource).toBe('gateway-key');
    expect(graph.gateway.loopSecret.length).toBe(32);
    const again = await build();
    expect(again.gateway.loopSecret.equals(graph.gateway.loopSecret)).toBe(true);
  });

  it('carries the policy set and the revision', () => {
    expect(graph.policies.policies.map((p) => p.name)).toEqual(['block-card-numbers']);
    expect(graph.revision.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(graph.revision.loadedAt).toBe(NOW);
  });

  it('is deeply frozen: mutation throws', () => {
    expect(() => (graph.upstreams as unknown[]).push({})).toThrow(TypeError);
    expect(() => {
      (graph.upstreams[0] as { name: string }).name = 'x';
    }).toThrow(TypeError);
    expect(() => {
      (graph.gateway.timeouts as { dataMs: number }).dataMs = 1;
    }).toThrow(TypeError);
    expect(() => (graph.receivers as Map<string, unknown>).set('x', {})).toThrow(TypeError);
    expect(() => {
      (graph.routes[0]!.domains as string[])[0] = 'evil.test';
    }).toThrow(TypeError);
    expect(() => {
      (graph as { upstreamByAddress: unknown }).upstreamByAddress = undefined;
    }).toThrow(TypeError);
  });
});

describe('compileGraph failures and fallbacks', () => {
  it('fails the compile, not a later handshake, when the key stops matching after load', async () => {
    const dir = writeConfig();
    const loaded = await loadConfigDir(dir, { now: NOW });
    expect(loaded.config).toBeDefined();
    // The key file is swapped between load and compile (a reload racing an edit).
    writeFileSync(join(root, 'certs', 'gateway.key.pem'), pki.issue('other-key', ['x.example.test'], { freshKey: true }).keyPem);
    try {
      const result = compileGraph(loaded.config!, { now: NOW });
      expect(result.graph).toBeUndefined();
      expect(result.diagnostics.map((d) => [d.code, d.pointer])).toContainEqual(['RG_TLS_KEY_MISMATCH', '/gateway/tls/key']);
    } finally {
      writeFileSync(join(root, 'certs', 'gateway.key.pem'), pki.gateway.keyPem);
    }
  });

  it('rejects a cipher list OpenSSL cannot use', async () => {
    const certs = join(root, 'certs');
    const result = await buildGraph(writeConfig({ gatewayTls: `{ certificate: ${certs}/gateway.crt.pem, key: ${certs}/gateway.key.pem, ciphers: "NO-SUCH-CIPHER" }` }), { now: NOW });
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code)).toContain('RG_TLS_CONTEXT');
  });

  it('reads the loop secret from gateway.loop.secretFile', async () => {
    const secret = join(root, 'loop.secret');
    writeFileSync(secret, 'a long random string\n');
    const graph = await build({ loop: `  loop: { secretFile: ${secret} }` });
    expect(graph.gateway.loopSecretSource).toBe('file');
    expect(graph.files).toContain(secret);
  });

  it('refuses a config whose loop header could only be signed with a value derived from the hostname', async () => {
    const dir = writeConfig({ gatewayTls: '{ authenticate: true }' });
    const topology = (loop: string): string => `version: 1
gateway:
  hostname: gw.example.test
  listen: [{ address: 127.0.0.1, port: 10025 }]
${loop}upstreams:
  - { name: corp-postfix, addresses: ["127.0.0.1"], mode: forward }
receivers:
  - { name: mx, host: 127.0.0.1, port: 10030, tls: { starttls: disabled } }
routes:
  - { domains: ["*"], receivers: [mx] }
`;
    writeFileSync(join(dir, 'topology.yaml'), topology(''));
    const result = await buildGraph(dir, { now: NOW });
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.pointer, d.line, d.column])).toContainEqual(['RG_CFG_LOOP_SECRET_MISSING', 'error', '/gateway', 2, 1]);
    writeFileSync(join(dir, 'loop.secret'), 'a long random string\n');
    writeFileSync(join(dir, 'topology.yaml'), topology('  loop: { secretFile: loop.secret }\n'));
    const ok = await buildGraph(dir, { now: NOW });
    expect(ok.graph?.gateway.loopSecretSource).toBe('file');
    // No gateway certificate: an upstream that does not ask for STARTTLS gets none.
    expect(ok.graph?.upstreams[0]?.inbound.starttls).toBe('disabled');
    expect(ok.graph?.upstreams[0]?.inbound.secureContext).toBeUndefined();
  });
});

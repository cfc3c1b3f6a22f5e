import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../test/helpers/pki.js';
import { buildGraph } from './build.js';
import { describeGraph } from './describe.js';
import { renderGraph } from './render.js';
import { escapeMermaid } from './render-mermaid.js';
import type { RoutingGraph } from './types.js';

let root: string;
let graph: RoutingGraph;

/** Certificates are generated per run: their fingerprints, dates and the hash are masked. */
function stable(text: string): string {
  return text
    .replace(/([0-9A-F]{2}:){31}[0-9A-F]{2}/g, '<sha256>')
    .replace(/[0-9a-f]{64}/g, '<hash>')
    .replace(/\b[0-9a-f]{12}\b/g, '<hash12>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>')
    .replace(/valid to \d{4}-\d{2}-\d{2}/g, 'valid to <date>');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rg-graph-render-'));
  const pki = makeTestPki(join(root, 'certs'));
  pki.issue('mx-out-1', ['mx-out-1.example.test']);
  pki.issue('corp-postfix', ['corp-postfix.example.test']);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'topology.yaml'),
    `version: 1
gateway:
  hostname: gw.example.test
  listen:
    - { address: 127.0.0.1, port: 10025 }
    - { address: "::1", port: 10025 }
  admin: { address: 127.0.0.1, port: 9025 }
  tls: { certificate: ../certs/gateway.crt.pem, key: ../certs/gateway.key.pem }
  incidents: { path: ../var/incidents.jsonl }
  spool: { dir: ../var/spool }
upstreams:
  - name: corp-postfix
    addresses: ["127.0.0.1/32"]
    mode: reflect
    reflect: { port: 10026, tls: { starttls: required, verifyHostname: false } }
    tls: { starttls: required, clientCertificate: required, trust: [../certs/corp-postfix.crt.pem] }
  - name: partner-relay
    addresses: ["192.0.2.0/24"]
    mode: forward
receivers:
  - name: mx-out-1
    host: 127.0.0.1
    port: 10030
    tls: { starttls: required, trust: [../certs/mx-out-1.crt.pem], serverName: mx-out-1.example.test }
  - name: mx-out-2
    host: 127.0.0.1
    port: 10031
    tls: { starttls: disabled }
routes:
  - { domains: ["example.org", "*.example.org"], receivers: [mx-out-1] }
  - { domains: ["*"], receivers: [mx-out-1, mx-out-2], strategy: round-robin }
`,
  );
  writeFileSync(
    join(dir, 'cards.policy.yaml'),
    `version: 1
policies:
  - name: block-card-numbers
    severity: high
    match: { creditCardNumber: { min: 1 } }
    action: { type: block }
`,
  );
  const built = await buildGraph(dir);
  if (!built.graph) throw new Error(JSON.stringify(built.diagnostics, null, 2));
  graph = built.graph;
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('renderGraph', () => {
  it('text is stable', () => {
    expect(stable(renderGraph(graph, 'text'))).toMatchSnapshot();
  });

  it('json is stable and holds no secrets', () => {
    const json = renderGraph(graph, 'json');
    expect(stable(json)).toMatchSnapshot();
    expect(json).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(json).not.toContain(graph.gateway.loopSecret.toString('hex'));
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(describeGraph(graph))));
  });

  it('mermaid draws upstreams into the gateway, routes to receivers and reflect edges back', () => {
    const m = renderGraph(graph, 'mermaid');
    expect(m.startsWith('flowchart LR\n')).toBe(true);
    expect(m).toContain('u0 -->|"STARTTLS required, client cert required"| gw');
    expect(m).toContain('u1 -->|"STARTTLS optional"| gw');
    expect(m).toContain('gw -->|"reflect, STARTTLS required, verified"| ri0');
    expect(m).toContain('ri0[/"corp-postfix re-injection<br/>its own address:10026"/]');
    expect(m).toContain('gw --> rt0');
    expect(m).toContain('rt0([" #351 example.org, *.example.org<br/>failover"])'.replace(' #351', '#35;1'));
    expect(m).toContain('rt1 -->|"STARTTLS required, verified"| r0');
    expect(m).toContain('rt1 -->|"plain SMTP"| r1');
    expect(m).not.toContain('ri1');
  });

  it('escapes label text so names cannot break the diagram', () => {
    expect(escapeMermaid('a"b|c<d>e;f#g')).toBe('a#34;b#124;c#60;d#62;e#59;f#35;g');
    expect(escapeMermaid('line\nbreak')).toBe('line break');
  });
});

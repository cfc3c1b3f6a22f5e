import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../test/helpers/pki.js';
import type { TestPki } from '../../test/helpers/pki.js';
import { formatDiagnostics, loadConfigDir, locate } from './load.js';

const TOPOLOGY = `version: 1
gateway:
  hostname: gw.example.test
  listen:
    - { address: 127.0.0.1, port: 10025 }
  tls: { certificate: certs/gw.crt.pem, key: certs/gw.key.pem }
  loop: { secretFile: loop.secret }
upstreams:
  - name: corp-postfix
    addresses: ["127.0.0.1/32"]
    mode: reflect
    reflect: { port: 10026 }
    tls: { starttls: required, trust: [certs/peer.crt.pem] }
`;

let root: string;
let pki: TestPki;

function writeDir(name: string, files: Readonly<Record<string, string>>): string {
  const dir = join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function tlsFiles(): Record<string, string> {
  return { 'certs/gw.crt.pem': pki.gateway.certPem, 'certs/gw.key.pem': pki.gateway.keyPem, 'certs/peer.crt.pem': pki.ca.certPem, 'loop.secret': 'a-long-random-secret-for-tests\n' };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rg-load-'));
  pki = makeTestPki(join(root, 'pki'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('loadConfigDir', () => {
  it('loads a valid directory into frozen data with every referenced file listed', async () => {
    const dir = writeDir('ok', { 'topology.yaml': TOPOLOGY, ...tlsFiles() });
    const { config, diagnostics, status } = await loadConfigDir(dir);
    expect(diagnostics).toEqual([]);
    expect(status).toBe('valid');
    expect(config?.referencedFiles).toEqual(['certs/gw.crt.pem', 'certs/gw.key.pem', 'certs/peer.crt.pem', 'loop.secret'].map((f) => join(dir, f)));
    expect(Object.isFrozen(config?.topology.data.upstreams[0])).toBe(true);
    expect(config?.topology.source.displayPath).toMatch(/topology\.yaml$/);
  });

  it('gives the same hash for the same content and a new one when a trusted certificate changes', async () => {
    const a = await loadConfigDir(writeDir('hash-a', { 'topology.yaml': TOPOLOGY, ...tlsFiles() }));
    const b = await loadConfigDir(writeDir('hash-b', { 'topology.yaml': TOPOLOGY, ...tlsFiles(), 'unrelated.txt': 'x' }));
    const c = await loadConfigDir(writeDir('hash-c', { 'topology.yaml': TOPOLOGY, ...tlsFiles(), 'certs/peer.crt.pem': pki.otherCa.certPem }));
    expect(a.config?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.config?.hash).toBe(a.config?.hash);
    expect(c.config?.hash).not.toBe(a.config?.hash);
  });

  it('gives a new hash when a policy file changes', async () => {
    const policy = 'version: 1\npolicies: []\n';
    const a = await loadConfigDir(writeDir('policy-a', { 'topology.yaml': TOPOLOGY, ...tlsFiles(), 'p.policy.yaml': policy }));
    const b = await loadConfigDir(writeDir('policy-b', { 'topology.yaml': TOPOLOGY, ...tlsFiles(), 'p.policy.yaml': `${policy}# comment\n` }));
    expect(a.status).toBe('valid');
    expect(b.config?.hash).not.toBe(a.config?.hash);
  });

  it('reports the closest form of a oneOf once, not every branch', async () => {
    const test = `version: 1
cases:
  - name: x
    message: { subject: hi, eml: a.eml }
    expect: { action: pass }
`;
    const { diagnostics } = await loadConfigDir(writeDir('oneof', { 'topology.yaml': TOPOLOGY, ...tlsFiles(), 'tests/a.test.yaml': test }));
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual(['4:29 RG_CFG_UNKNOWN_KEY unknown key "eml" in cases[0].message']);
  });

  it('warns about data files whose names match no config kind', async () => {
    const { diagnostics, status } = await loadConfigDir(writeDir('stray', { 'topology.yaml': TOPOLOGY, ...tlsFiles(), 'policy.yaml': 'version: 1\n' }));
    expect(status).toBe('valid');
    expect(diagnostics).toMatchObject([{ code: 'RG_CFG_UNKNOWN_FILE', severity: 'warning', message: expect.stringContaining('policy.yaml is ignored') }]);
  });
});

describe('locate', () => {
  it('points at the nearest existing node when the pointer goes deeper than the document', async () => {
    const dir = writeDir('locate', { 'topology.yaml': TOPOLOGY, ...tlsFiles() });
    const { config } = await loadConfigDir(dir);
    const source = config!.topology.source;
    expect(locate(source, '/upstreams/0/reflect/port')).toEqual({ line: 12, column: 22 });
    expect(locate(source, '/upstreams/0/reflect/host')).toEqual({ line: 12, column: 5 });
    expect(locate(source, '/upstreams/0/tls/trust/7')).toEqual({ line: 13, column: 32 });
    expect(locate(source, '')).toEqual({ line: 1, column: 1 });
  });
});

describe('formatDiagnostics', () => {
  const d = { code: 'RG_X', severity: 'error' as const, file: 'p/t.yaml', line: 3, column: 4, pointer: '/a', message: 'bad, 100%\nreally', hint: 'fix: it' };

  it('escapes github workflow commands', () => {
    expect(formatDiagnostics([d], 'github')).toBe('::error file=p/t.yaml,line=3,col=4,title=RG_X::bad, 100%25%0Areally [/a]%0Ahint: fix: it\n');
  });

  it('prints positionless findings without line and column', () => {
    expect(formatDiagnostics([{ ...d, line: 0, column: 0, pointer: '', hint: undefined as unknown as string }], 'text')).toBe('p/t.yaml: error: RG_X: bad, 100%\nreally []\n');
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { presentedChain } from '../helpers/tls-handshake.js';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Command, CommanderError } from 'commander';
import forge from 'node-forge';
import { SMTPServer } from 'smtp-server';
import { parseHostPort, register, runCertsImport, runCertsInit, runCertsIssue, runCertsList, runCertsProbe } from '../../engine/cli/certs.js';
import { buildTrustStore, verifyPeer } from '../../engine/tls/trust.js';
import { issueCertificate } from '../../engine/tls/ca.js';
import { makeTestPki, pooledKeyPem } from '../helpers/pki.js';
import type { TestCert, TestPki } from '../helpers/pki.js';

let root: string;
let pki: TestPki;

function tempDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function pkcs12Of(cert: TestCert, password: string, extra: readonly string[] = []): Buffer {
  const certs = [cert.certPem, ...extra].map((p) => forge.pki.certificateFromPem(p));
  const asn = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(cert.keyPem), certs, password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');
}

/** Runs argv through commander like main.ts does; returns the exit code main would return. */
async function cli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const program = new Command('relayguard').exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: (s) => (stdout += s) });
  register(program);
  const before = process.exitCode;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    return { code, stdout, stderr };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, stdout, stderr };
    throw e;
  } finally {
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rg-certs-cli-'));
  pki = makeTestPki(join(root, 'pki'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under dir, relative, sorted (directories are not listed, only what they hold). */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const CA_AND_GATEWAY = ['ca.crt.pem', 'ca.key.pem', 'gateway.crt.pem', 'gateway.key.pem'];

describe('certs init', () => {
  it('writes exactly the CA and the gateway pair into an empty directory, keys mode 0600, nothing under trusted/', async () => {
    const dir = join(tempDir('init'), 'certs');
    const result = runCertsInit({ dir, hostname: ['gw.example.test'] });
    expect(result.exitCode).toBe(0);
    expect(filesUnder(dir)).toEqual(CA_AND_GATEWAY);
    expect(existsSync(join(dir, 'trusted'))).toBe(false);
    expect(existsSync(join(dir, 'peers'))).toBe(false);
    expect(statSync(join(dir, 'gateway.key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca.key.pem')).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt.pem')));
    const gateway = new X509Certificate(readFileSync(join(dir, 'gateway.crt.pem')));
    const trust = buildTrustStore([{ file: 'ca', certificates: [ca] }]);
    // verified as the gateway verifies peers: OpenSSL, in a real handshake against the CA
    const presented = await presentedChain({ certPem: gateway.toString(), keyPem: readFileSync(join(dir, 'gateway.key.pem'), 'utf8') }, [], [ca.toString()], 'server');
    expect(verifyPeer(presented, trust, { hostname: 'gw.example.test' })).toMatchObject({ ok: true, via: 'chain' });
    expect(gateway.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'gateway.key.pem'))))).toBe(true);
    expect(result.output).toContain('SHA-256');
    expect(result.output.split('\n').filter((l) => l.startsWith('wrote ')).map((l) => relative(dir, l.slice(6))).sort()).toEqual(CA_AND_GATEWAY);
  });

  it('--force replaces the CA and gateway only and still writes nothing else', async () => {
    const dir = join(tempDir('init-force'), 'certs');
    expect((await cli(['certs', 'init', '--dir', dir, '--quiet'])).code).toBe(0);
    expect((await cli(['certs', 'init', '--dir', dir, '--force', '--quiet'])).code).toBe(0);
    expect(filesUnder(dir)).toEqual(CA_AND_GATEWAY);
  });

  it('--example-peers adds the example config peers, trusted, plus a .gitignore for keys (the npm install set-up)', async () => {
    const dir = join(tempDir('init-examples'), 'certs');
    expect((await cli(['certs', 'init', '--if-missing', '--example-peers', '--dir', dir, '--quiet'])).code).toBe(0);
    const peers = ['corp-postfix', 'mx-out-1', 'mx-out-2'];
    const expected = [
      '.gitignore',
      ...CA_AND_GATEWAY,
      ...peers.flatMap((p) => [`peers/${p}.crt.pem`, `peers/${p}.key.pem`]),
      ...peers.map((p) => `trusted/${p}.crt.pem`),
    ].sort();
    expect(filesUnder(dir)).toEqual(expected);
    for (const p of peers) expect(readFileSync(join(dir, 'trusted', `${p}.crt.pem`), 'utf8')).toBe(readFileSync(join(dir, 'peers', `${p}.crt.pem`), 'utf8'));
    expect(statSync(join(dir, 'peers', 'mx-out-1.key.pem')).mode & 0o777).toBe(0o600);
  });

  it('--if-missing --example-peers adds nothing to a directory that already has a gateway certificate', async () => {
    const dir = join(tempDir('init-production'), 'certs');
    expect((await cli(['certs', 'init', '--dir', dir, '--quiet'])).code).toBe(0);
    expect((await cli(['certs', 'init', '--if-missing', '--example-peers', '--dir', dir, '--quiet'])).code).toBe(0);
    expect(filesUnder(dir)).toEqual(CA_AND_GATEWAY);
  });

  const randomName = `peer-${randomBytes(4).toString('hex')}`;
  for (const name of ['mx-out-1', randomName]) {
    it(`certs issue ${name === randomName ? 'RANDOM' : name} works right after init and writes nothing under trusted/`, async () => {
      const dir = join(tempDir(`init-then-issue-${name}`), 'certs');
      expect((await cli(['certs', 'init', '--dir', dir, '--quiet'])).code).toBe(0);
      const issued = await cli(['certs', 'issue', name, '--hostname', `${name}.example.test`, '--dir', dir]);
      expect(issued.code, issued.stderr).toBe(0);
      expect(filesUnder(dir)).toEqual([...CA_AND_GATEWAY, `peers/${name}.crt.pem`, `peers/${name}.key.pem`].sort());
      const cert = new X509Certificate(readFileSync(join(dir, 'peers', `${name}.crt.pem`)));
      const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt.pem')));
      const presented = await presentedChain({ certPem: cert.toString(), keyPem: readFileSync(join(dir, 'peers', `${name}.key.pem`), 'utf8') }, [], [ca.toString()], 'server');
      expect(verifyPeer(presented, buildTrustStore([{ file: 'ca', certificates: [ca] }]), { hostname: `${name}.example.test` })).toMatchObject({ ok: true });
      expect(issued.stdout).toContain(`certs import ${join(dir, 'peers', `${name}.crt.pem`)} --name ${name}`);
      // The pin the hint names then works too: issue wrote no trusted/ file it could collide with.
      const pinned = await cli(['certs', 'import', join(dir, 'peers', `${name}.crt.pem`), '--name', name, '--dir', dir]);
      expect(pinned.code, pinned.stderr).toBe(0);
      expect(readFileSync(join(dir, 'trusted', `${name}.crt.pem`), 'utf8')).toBe(cert.toString());
    });

    it(`certs import FILE --name ${name === randomName ? 'RANDOM' : name} works right after init`, async () => {
      const dir = join(tempDir(`init-then-import-${name}`), 'certs');
      expect((await cli(['certs', 'init', '--dir', dir, '--quiet'])).code).toBe(0);
      const peer = pki.issue(`import-${name}`, [`${name}.example.test`]);
      const imported = await cli(['certs', 'import', peer.certPath, '--name', name, '--dir', dir]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(filesUnder(dir)).toEqual([...CA_AND_GATEWAY, `trusted/${name}.crt.pem`].sort());
      expect(new X509Certificate(readFileSync(join(dir, 'trusted', `${name}.crt.pem`))).fingerprint256).toBe(peer.cert.fingerprint256);
    });
  }

  it('keeps an existing setup (with or without --if-missing); --force replaces it', async () => {
    const dir = join(tempDir('init-again'), 'certs');
    expect((await cli(['certs', 'init', '--dir', dir, '--quiet'])).code).toBe(0);
    const first = readFileSync(join(dir, 'gateway.crt.pem'), 'utf8');
    const quiet = await cli(['certs', 'init', '--if-missing', '--dir', dir, '--quiet']);
    expect(quiet).toMatchObject({ code: 0, stdout: '' });
    expect(readFileSync(join(dir, 'gateway.crt.pem'), 'utf8')).toBe(first);
    const again = await cli(['certs', 'init', '--dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing changed');
    expect(readFileSync(join(dir, 'gateway.crt.pem'), 'utf8')).toBe(first);
    expect((await cli(['certs', 'init', '--dir', dir, '--force', '--quiet'])).code).toBe(0);
    expect(readFileSync(join(dir, 'gateway.crt.pem'), 'utf8')).not.toBe(first);
  });
});

describe('certs init hostnames', () => {
  it("names the topology's gateway.hostname when --hostname is absent", () => {
    const base = tempDir('init-topology');
    writeTopology(join(base, 'policies'), 'version: 1\ngateway:\n  hostname: relay.example.test\n');
    const dir = join(base, 'certs');
    expect(runCertsInit({ dir, hostname: [], config: join(base, 'policies'), quiet: true }).exitCode).toBe(0);
    const cert = new X509Certificate(readFileSync(join(dir, 'gateway.crt.pem')));
    expect(cert.subject).toBe('CN=relay.example.test');
    expect(cert.checkHost('relay.example.test')).toBe('relay.example.test');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });
});

describe('certs issue', () => {
  it('issues a peer certificate from the local CA with the given names', async () => {
    const dir = join(tempDir('issue'), 'certs');
    runCertsInit({ dir, hostname: [], quiet: true });
    const result = await cli(['certs', 'issue', 'relay-b', '--hostname', 'relay-b.example.test', '--hostname', '127.0.0.2', '--dir', dir]);
    expect(result.code).toBe(0);
    const cert = new X509Certificate(readFileSync(join(dir, 'peers', 'relay-b.crt.pem')));
    expect(cert.subjectAltName).toBe('DNS:relay-b.example.test, IP Address:127.0.0.2');
    expect(existsSync(join(dir, 'trusted', 'relay-b.crt.pem'))).toBe(false);
  });

  it('refuses without a CA (exit 1) and a bad name (exit 2)', () => {
    const dir = join(tempDir('issue-no-ca'), 'certs');
    expect(runCertsIssue('peer', { dir, hostname: ['p.example.test'] })).toMatchObject({ exitCode: 1, errors: expect.stringContaining('certs init') });
    expect(runCertsIssue('../evil', { dir, hostname: [] }).exitCode).toBe(2);
  });
});

describe('certs import', () => {
  it('imports a PEM certificate, converts DER, extracts PKCS#12 and PKCS#7', () => {
    const dir = join(tempDir('import'), 'certs');
    const peer = pki.issue('import-peer', ['peer.example.test']);
    const der = join(root, 'peer.der');
    writeFileSync(der, peer.cert.raw);
    const p12 = join(root, 'peer.p12');
    writeFileSync(p12, pkcs12Of(peer, 'secret', [pki.ca.certPem]));
    const p7 = forge.pkcs7.createSignedData();
    p7.addCertificate(forge.pki.certificateFromPem(peer.certPem));
    const p7b = join(root, 'peer.p7b');
    writeFileSync(p7b, Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary'));
    const cases = [
      ['pem', peer.certPath],
      ['der', der],
      ['p12', p12],
      ['p7b', p7b],
    ] as const;
    for (const [name, file] of cases) {
      const result = runCertsImport(file, { dir, name, password: 'secret' });
      expect(result.exitCode, `${name}: ${result.errors}`).toBe(0);
      const saved = readFileSync(join(dir, 'trusted', `${name}.crt.pem`), 'utf8');
      expect(new X509Certificate(saved).fingerprint256, name).toBe(peer.cert.fingerprint256);
      expect(saved).not.toContain('PRIVATE KEY');
    }
    expect(readFileSync(join(dir, 'trusted', 'p12.crt.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });

  it('refuses a wrong PKCS#12 password, random bytes and a private key with a clear message', () => {
    const dir = join(tempDir('import-bad'), 'certs');
    const p12 = join(root, 'pw.p12');
    writeFileSync(p12, pkcs12Of(pki.gateway, 'right'));
    const random = join(root, 'random.crt');
    writeFileSync(random, randomBytes(512));
    const wrong = runCertsImport(p12, { dir, name: 'a', password: 'wrong' });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.errors).toContain('RG_TLS_PKCS12_PASSWORD');
    const junk = runCertsImport(random, { dir, name: 'b' });
    expect(junk.exitCode).toBe(1);
    expect(junk.errors).toContain(`${random} is not a certificate (neither PEM, DER nor PKCS#12)`);
    const key = runCertsImport(pki.gateway.keyPath, { dir, name: 'c' });
    expect(key.exitCode).toBe(1);
    expect(key.errors).toContain('holds a private key, not a certificate');
    expect(existsSync(join(dir, 'trusted', 'b.crt.pem'))).toBe(false);
  });

  it('pins only the leaf of a chain file and refuses to overwrite without --force', () => {
    const dir = join(tempDir('import-chain'), 'certs');
    const peer = pki.issue('chain-peer', ['chain.example.test']);
    const chain = join(root, 'fullchain.pem');
    writeFileSync(chain, peer.certPem + pki.ca.certPem);
    const result = runCertsImport(chain, { dir, name: 'chain' });
    expect(result.output).toContain('--with-ca');
    expect(readFileSync(join(dir, 'trusted', 'chain.crt.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    expect(runCertsImport(chain, { dir, name: 'chain' }).exitCode).toBe(1);
    expect(runCertsImport(chain, { dir, name: 'chain', force: true, withCa: true }).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'trusted', 'chain.crt.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it.skipIf(!existsSync('/usr/bin/openssl') && process.env['RELAYGUARD_REQUIRE_TOOLS'] !== '1')('extracts an OpenSSL 3 PKCS#12 bundle (AES, PBKDF2)', () => {
    const dir = join(tempDir('import-openssl'), 'certs');
    const p12 = join(root, 'openssl.p12');
    execFileSync('/usr/bin/openssl', ['pkcs12', '-export', '-in', pki.gateway.certPath, '-inkey', pki.gateway.keyPath, '-out', p12, '-passout', 'pass:s3cret']);
    const result = runCertsImport(p12, { dir, name: 'ossl', password: 's3cret' });
    expect(result.exitCode, result.errors).toBe(0);
  });

  it('exits 2 when --name is missing or a number is not one', async () => {
    expect((await cli(['certs', 'import', pki.gateway.certPath])).code).toBe(2);
    expect((await cli(['certs', 'issue', 'x', '--days', 'soon', '--dir', join(root, 'nowhere')])).code).toBe(2);
  });
});

function writeTopology(configDir: string, body: string): void {
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'topology.yaml'), body);
}

describe('certs list', () => {
  it('shows every certificate with fingerprint, expiry warning and topology references', () => {
    const base = tempDir('list');
    const dir = join(base, 'certs');
    runCertsInit({ dir, hostname: ['gw.example.test'], quiet: true, examplePeers: true });
    writeTopology(
      join(base, 'policies'),
      [
        'version: 1',
        'gateway:',
        '  tls: { certificate: ../certs/gateway.crt.pem, key: ../certs/gateway.key.pem }',
        'upstreams:',
        '  - name: corp-postfix',
        '    tls: { trust: [../certs/trusted/corp-postfix.crt.pem] }',
        'receivers:',
        '  - name: mx-out-1',
        '    tls: { trust: [../certs/trusted/mx-out-1.crt.pem, ../certs/ca.crt.pem] }',
        '',
      ].join('\n'),
    );
    const text = runCertsList({ dir, config: join(base, 'policies') });
    expect(text.exitCode).toBe(0);
    expect(text.output).toContain('used by   gateway.tls.certificate');
    expect(text.output).toContain('used by   upstreams[corp-postfix].tls.trust');
    expect(text.output).not.toContain('PRIVATE');
    expect(text.output).toContain('gateway key');
    expect(text.output).toContain('(gateway.tls.key): matches gateway.tls.certificate');
    const json = JSON.parse(runCertsList({ dir, config: join(base, 'policies'), json: true }).output) as {
      certificates: { file: string; fingerprint256: string; usedBy: string[]; status: string; daysToExpiry: number }[];
    };
    const ca = json.certificates.find((c) => c.file.endsWith('ca.crt.pem'));
    expect(ca?.usedBy).toEqual(['receivers[mx-out-1].tls.trust']);
    expect(ca?.fingerprint256).toBe(new X509Certificate(readFileSync(join(dir, 'ca.crt.pem'))).fingerprint256);
    expect(json.certificates.every((c) => c.status === 'valid')).toBe(true);
  });

  it('warns about a certificate that expires within 30 days', () => {
    const base = tempDir('list-expiring');
    const dir = join(base, 'certs');
    mkdirSync(dir, { recursive: true });
    const day = 86_400_000;
    const soon = issueCertificate(pki.ca, {
      commonName: 'soon.example.test',
      hostnames: ['soon.example.test'],
      notBefore: new Date(Date.now() - day),
      notAfter: new Date(Date.now() + 10 * day),
      key: pooledKeyPem(),
    });
    writeFileSync(join(dir, 'soon.crt.pem'), soon.certPem);
    const text = runCertsList({ dir, config: join(base, 'none') });
    expect(text.output).toMatch(/WARNING: expires in (9|10) days/);
    expect(text.output).toContain('1 with an expiry warning');
  });
});

describe('certs probe', () => {
  let server: SMTPServer;
  let port: number;
  let mx: TestCert;
  let base: string;

  beforeAll(async () => {
    mx = pki.issue('probe-mx', ['mx-out-1.example.test', '127.0.0.1']);
    server = new SMTPServer({ logger: false, authOptional: true, disabledCommands: ['AUTH'], key: mx.keyPem, cert: mx.certPem });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
    base = tempDir('probe');
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function topology(trustFile: string): string {
    const configDir = join(base, `policies-${Math.random().toString(36).slice(2)}`);
    writeTopology(
      configDir,
      ['version: 1', 'receivers:', '  - name: mx-out-1', '    host: 127.0.0.1', `    port: ${port}`, `    tls: { starttls: required, trust: [${JSON.stringify(trustFile)}], verifyHostname: true, serverName: mx-out-1.example.test }`, ''].join('\n'),
    );
    return configDir;
  }

  it('exits 0 when the trust list of the configured receiver accepts the certificate', async () => {
    const result = await cli(['certs', 'probe', `127.0.0.1:${port}`, '--starttls', '--config', topology(mx.certPath)]);
    expect(result.stdout).toContain('verdict: TRUSTED (pinned certificate)');
    expect(result.stdout).toContain(mx.cert.fingerprint256);
    expect(result.stdout).toContain('trust list receivers[mx-out-1].tls.trust');
    expect(result.code).toBe(0);
  });

  it('exits 1 with the fixing command when the certificate is not trusted, and --save fixes it', async () => {
    const configDir = topology(pki.otherCa.certPath);
    const result = await runCertsProbe(`127.0.0.1:${port}`, { starttls: true, config: configDir, trust: [], dir: join(base, 'certs'), timeout: 5000 });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('verdict: NOT TRUSTED (RG_TLS_PEER_UNKNOWN_ISSUER)');
    expect(result.output).toContain(`relayguard certs probe 127.0.0.1:${port} --starttls --save mx-out-1`);
    const saved = await runCertsProbe(`127.0.0.1:${port}`, { starttls: true, config: configDir, trust: [], dir: join(base, 'certs'), timeout: 5000, save: 'mx-out-1' });
    expect(saved.exitCode).toBe(0);
    const savedPath = join(base, 'certs', 'trusted', 'mx-out-1.crt.pem');
    expect(new X509Certificate(readFileSync(savedPath)).fingerprint256).toBe(mx.cert.fingerprint256);
    const after = await runCertsProbe(`127.0.0.1:${port}`, { starttls: true, config: configDir, trust: [savedPath], dir: join(base, 'certs'), timeout: 5000 });
    expect(after.exitCode).toBe(0);
  });

  it('falls back to the certificates in DIR/trusted when no topology entry matches', async () => {
    const dir = join(base, 'fallback-certs');
    mkdirSync(join(dir, 'trusted'), { recursive: true });
    writeFileSync(join(dir, 'trusted', 'mx.crt.pem'), mx.certPem);
    const result = await runCertsProbe(`127.0.0.1:${port}`, { starttls: true, config: join(base, 'missing'), trust: [], dir, timeout: 5000 });
    expect(result.output).toContain('no topology entry for this address');
    expect(result.exitCode).toBe(0);
  });

  it('checks the hostname the topology names', async () => {
    const result = await runCertsProbe(`127.0.0.1:${port}`, { starttls: true, servername: 'wrong.example.test', trust: [mx.certPath], dir: base, timeout: 5000 });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('RG_TLS_PEER_HOSTNAME_MISMATCH');
  });

  it('exits 1 without a trust list, 1 on a refused port and 2 on a malformed target', async () => {
    const none = await runCertsProbe(`127.0.0.1:${port}`, { starttls: true, config: join(base, 'missing'), trust: [], dir: base, timeout: 5000 });
    expect(none.exitCode).toBe(1);
    expect(none.output).toContain('no trust list');
    const refused = await runCertsProbe('127.0.0.1:1', { starttls: true, trust: [mx.certPath], dir: base, timeout: 5000 });
    expect(refused.exitCode).toBe(1);
    expect(refused.errors).toContain('RG_PROBE_REFUSED');
    expect((await cli(['certs', 'probe', 'no-port-here'])).code).toBe(2);
  });
});

describe('parseHostPort', () => {
  it('accepts host:port and [ipv6]:port, refuses the rest', () => {
    expect(parseHostPort('127.0.0.1:10026')).toEqual({ host: '127.0.0.1', port: 10026 });
    expect(parseHostPort('[::1]:25')).toEqual({ host: '::1', port: 25 });
    expect(parseHostPort('mx.example.test:587')).toEqual({ host: 'mx.example.test', port: 587 });
    for (const bad of ['mx.example.test', '::1:25', 'host:0', 'host:70000', ':25']) expect(parseHostPort(bad), bad).toBeUndefined();
  });
});

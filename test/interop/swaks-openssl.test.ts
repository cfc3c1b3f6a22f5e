// Interop with swaks and openssl s_client against the real `relayguard serve` process:
// STARTTLS required, mutual TLS with CA-based trust, minimum TLS version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { requireTool } from '../helpers/tools.js';
import { freePorts } from '../helpers/ports.js';
import { stopAllProcesses, type OwnedProcess } from '../helpers/processes.js';
import { writeConfigDir } from '../helpers/config-dir.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { startRecordingMta, type RecordingMta } from '../helpers/recording-mta.js';
import { mutualTlsTopology, startGatewayProcess } from './gateway-process.js';

const swaks = requireTool('swaks', 'swaks');
const openssl = requireTool('openssl', 'openssl');

/** Runs a tool and returns its combined output and exit code without throwing. */
function runTool(cmd: string, args: readonly string[], input = ''): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, [...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err && typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : err ? 1 : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(input);
  });
}

describe.skipIf(!swaks || !openssl)('swaks and openssl against relayguard serve', () => {
  let tmp: string;
  let pki: TestPki;
  let mta: RecordingMta;
  let gateway: OwnedProcess;
  let gwPort: number;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rg-swaks-'));
    pki = makeTestPki(join(tmp, 'certs'));
    mta = await startRecordingMta({});
    [gwPort] = (await freePorts(1)) as [number];
    const configDir = writeConfigDir(join(tmp, 'config'), mutualTlsTopology({ port: gwPort, pki, upstream: 'corp-mta', receiverPort: mta.port }));
    gateway = await startGatewayProcess(configDir, gwPort, ['--log-level', 'info']);
  });

  afterAll(async () => {
    await gateway?.stop('SIGTERM');
    await mta?.close();
    await stopAllProcesses();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const send = (extra: readonly string[]) =>
    runTool(swaks!, ['--server', `127.0.0.1:${gwPort}`, '--from', 'a@corp.example', '--to', 'b@example.org', '--body', 'swaks interop', ...extra]);

  it('answers MAIL before STARTTLS with 530 5.7.0 (tried: swaks without --tls)', async () => {
    const { out } = await send([]);
    expect(out).toMatch(/<\*\*\s+530 5\.7\.0/);
    expect(mta.messages).toHaveLength(0);
  });

  it('delivers with STARTTLS and a client certificate issued by the trusted CA', async () => {
    const client = pki.issue('swaks-client', ['client.example.test']);
    const { out, code } = await send(['--tls', '--tls-cert', client.certPath, '--tls-key', client.keyPath]);
    expect(out, out).toMatch(/<-\s+250 /);
    expect(code).toBe(0);
    const [msg] = await mta.waitForMessages(1, 10_000);
    expect(msg!.raw.toString()).toContain('swaks interop');
  });

  it('refuses a client certificate from a CA this upstream does not trust, and one that is missing', async () => {
    const before = mta.messages.length;
    const stranger = pki.issue('stranger', ['stranger.example.test'], { otherCa: true });
    const untrusted = await send(['--tls', '--tls-cert', stranger.certPath, '--tls-key', stranger.keyPath]);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.out).not.toMatch(/<-\s+250 2\.0\.0/);
    const missing = await send(['--tls']);
    expect(missing.code).not.toBe(0);
    expect(mta.messages.length).toBe(before);
    // The log names the peer and the certificate's fingerprint so the admin knows what to import.
    expect(gateway.output()).toContain(stranger.cert.fingerprint256);
  });

  it('openssl s_client -starttls smtp sees the configured gateway certificate', async () => {
    const { out } = await runTool(openssl!, ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${gwPort}`, '-showcerts'], 'QUIT\n');
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)?.[0];
    expect(pem, out).toBeDefined();
    expect(new X509Certificate(pem!).fingerprint256).toBe(pki.gateway.cert.fingerprint256);
  });

  it('refuses TLS 1.1 and older (tried: openssl s_client -tls1_1)', async () => {
    const { out } = await runTool(openssl!, ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${gwPort}`, '-tls1_1'], 'QUIT\n');
    expect(out).not.toMatch(/-----BEGIN CERTIFICATE-----/);
    expect(out).toMatch(/alert|error|no protocols available|wrong version/i);
  });
});

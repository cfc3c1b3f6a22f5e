// Interop with a real Postfix on both sides of the gateway, STARTTLS on every leg — the question
// the classic products' users keep asking: does TLS work when the gateway reflects?
//  1. reflect: swaks → Postfix (content_filter) ─TLS + client cert→ relayguard ─TLS→ Postfix
//     re-injection port → recording MTA. Postfix presents its own certificate, which the
//     gateway trusts by pinning (what `certs import` of the MTA's public certificate gives).
//  2. forward: swaks --tls → relayguard ─TLS→ Postfix (receiving MTA) → recording MTA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireTool } from '../helpers/tools.js';
import { freePorts } from '../helpers/ports.js';
import { stopAllProcesses, type OwnedProcess } from '../helpers/processes.js';
import { writeConfigDir } from '../helpers/config-dir.js';
import { makeTestPki, type TestPki, type TestCert } from '../helpers/pki.js';
import { startRecordingMta, type RecordingMta } from '../helpers/recording-mta.js';
import { postfixAvailable, startPostfix, type PostfixInstance } from '../helpers/postfix.js';
import { startGatewayProcess } from './gateway-process.js';

const run = promisify(execFile);
const swaks = requireTool('swaks', 'swaks');
const postfix = requireTool('postfix', 'postfix');
const usable = Boolean(swaks && postfix && postfixAvailable());
if (swaks && postfix && !postfixAvailable()) {
  const reason = 'a private Postfix instance needs root and /etc/postfix/master.cf.proto';
  if (process.env.RELAYGUARD_REQUIRE_TOOLS === '1') throw new Error(reason);
  process.stderr.write(`SKIP interop: ${reason}\n`);
}

function tlsMain(cert: TestCert): Record<string, string> {
  return {
    smtpd_tls_cert_file: cert.certPath,
    smtpd_tls_key_file: cert.keyPath,
    smtpd_tls_security_level: 'may',
    smtp_tls_cert_file: cert.certPath,
    smtp_tls_key_file: cert.keyPath,
    smtp_tls_security_level: 'encrypt',
    smtpd_tls_loglevel: '1',
    smtp_tls_loglevel: '1',
  };
}

async function swaksSend(port: number, to: string, extra: readonly string[] = []): Promise<string> {
  const { stdout } = await run(
    swaks!,
    ['--server', `127.0.0.1:${port}`, '--from', 'alice@corp.example', '--to', to, '--header', 'Subject: interop', '--body', 'hello through relayguard', ...extra],
    { timeout: 60_000 },
  );
  return stdout;
}

describe.skipIf(!usable)('Postfix ⇄ relayguard with STARTTLS on every leg', () => {
  let tmp: string;
  let pki: TestPki;
  let postfixCert: TestCert;
  let final: RecordingMta;
  const postfixes: PostfixInstance[] = [];
  const gateways: OwnedProcess[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rg-postfix-'));
    chmodSync(tmp, 0o755);
    pki = makeTestPki(join(tmp, 'certs'));
    chmodSync(join(tmp, 'certs'), 0o755);
    // The MTA's own certificate, signed by a CA the gateway does NOT trust: only pinning makes it work.
    postfixCert = pki.issue('postfix', ['pf.example.test', '127.0.0.1'], { otherCa: true });
    chmodSync(postfixCert.keyPath, 0o644); // Postfix daemons read it after dropping privileges
    final = await startRecordingMta({});
  });

  afterAll(async () => {
    for (const gw of gateways) await gw.stop('SIGTERM');
    for (const pf of postfixes) await pf.stop();
    await final?.close();
    await stopAllProcesses();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('reflect: Postfix hands mail to the gateway over mutual TLS and gets it back over TLS on its re-injection port', async () => {
    const [inPort, reinjectPort, gwPort] = (await freePorts(3)) as [number, number, number];
    const configDir = writeConfigDir(join(tmp, 'reflect'), {
      version: 1,
      gateway: {
        hostname: 'gw.example.test',
        listen: [{ address: '127.0.0.1', port: gwPort }],
        tls: { certificate: pki.gateway.certPath, key: pki.gateway.keyPath, authenticate: true },
      },
      upstreams: [
        {
          name: 'corp-postfix',
          addresses: ['127.0.0.1/32'],
          mode: 'reflect',
          reflect: { port: reinjectPort, tls: { starttls: 'required', verifyHostname: false } },
          tls: { starttls: 'required', clientCertificate: 'required', trust: [postfixCert.certPath] },
        },
      ],
    });
    const gateway = await startGatewayProcess(configDir, gwPort, ['--log-level', 'info']);
    gateways.push(gateway);
    const pf = await startPostfix({
      dir: join(tmp, 'pf-reflect'),
      hostname: 'pf.example.test',
      mainCf: { ...tlsMain(postfixCert), relayhost: `[127.0.0.1]:${final.port}`, smtp_tls_security_level: 'may' },
      services: [
        // Mail enters here and is handed to the gateway as a content filter, over mandatory TLS.
        { listen: `127.0.0.1:${inPort}`, options: { content_filter: `filter:[127.0.0.1]:${gwPort}` } },
        // The re-injection listener: no filter, so mail from the gateway leaves for its destination.
        { listen: `127.0.0.1:${reinjectPort}`, options: { content_filter: '', smtpd_tls_security_level: 'encrypt' } },
      ],
      masterExtra: 'filter unix - - n - 10 smtp\n  -o smtp_tls_security_level=encrypt',
    });
    postfixes.push(pf);

    await swaksSend(inPort, 'bob@example.org');
    const [msg] = await final.waitForMessages(1, 30_000);
    const raw = msg!.raw.toString('utf8');
    expect(raw).toContain('hello through relayguard');
    expect(raw).toMatch(/^X-Relayguard-Loop: /m);
    // The gateway's Received header records TLS on both of its legs.
    expect(raw).toMatch(/Received: from [^\n]*\n(?:\s[^\n]*\n)*?\s[^\n]*TLSv1\.[23]/);
    expect(pf.log()).toMatch(/Trusted TLS connection established|TLS connection established to 127\.0\.0\.1\[127\.0\.0\.1\]:\d+/);
    expect(final.messages).toHaveLength(1);
  });

  it('forward: the gateway relays over STARTTLS to a Postfix receiving MTA whose certificate is pinned', async () => {
    const [pfPort, gwPort] = (await freePorts(2)) as [number, number];
    const before = final.messages.length;
    const pf = await startPostfix({
      dir: join(tmp, 'pf-forward'),
      hostname: 'pf.example.test',
      mainCf: { ...tlsMain(postfixCert), relayhost: `[127.0.0.1]:${final.port}`, smtp_tls_security_level: 'may' },
      services: [{ listen: `127.0.0.1:${pfPort}`, options: { smtpd_tls_security_level: 'encrypt' } }],
    });
    postfixes.push(pf);
    const configDir = writeConfigDir(join(tmp, 'forward'), {
      version: 1,
      gateway: {
        hostname: 'gw.example.test',
        listen: [{ address: '127.0.0.1', port: gwPort }],
        tls: { certificate: pki.gateway.certPath, key: pki.gateway.keyPath },
      },
      upstreams: [{ name: 'client', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'required' } }],
      receivers: [
        {
          name: 'postfix',
          host: '127.0.0.1',
          port: pfPort,
          tls: { starttls: 'required', trust: [postfixCert.certPath], verifyHostname: true, serverName: 'pf.example.test' },
        },
      ],
      routes: [{ domains: ['*'], receivers: ['postfix'] }],
    });
    gateways.push(await startGatewayProcess(configDir, gwPort));

    const transcript = await swaksSend(gwPort, 'carol@example.org', ['--tls']);
    expect(transcript).toMatch(/<-\s+250 2\.0\.0 Ok: queued as/);
    await final.waitForMessages(before + 1, 30_000);
    expect(final.messages[before]!.raw.toString()).toContain('hello through relayguard');
    expect(pf.log()).toMatch(/Anonymous TLS connection established from|TLS connection established from/);
  });
});

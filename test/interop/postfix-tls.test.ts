// Interop with a real, private Postfix instance over loopback with real certificates (issue #4):
// 1. Postfix as the TLS receiving MTA behind the gateway (smtpd_tls_security_level = encrypt).
// 2. Postfix as the upstream MTA that relays through the gateway presenting a client certificate,
//    and the same Postfix without one (the gateway refuses, Postfix defers and says why).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePorts } from '../helpers/ports.js';
import { stopAllProcesses, type OwnedProcess } from '../helpers/processes.js';
import { writeConfigDir } from '../helpers/config-dir.js';
import { GATEWAY_HOSTNAME, makeTestPki, type TestCert, type TestPki } from '../helpers/pki.js';
import { startRecordingMta, type RecordingMta } from '../helpers/recording-mta.js';
import { RawSmtp, type RawReply } from '../helpers/raw-smtp-client.js';
import { mutualTlsTopology, startGatewayProcess } from './gateway-process.js';
import { requirePrivatePostfix, startPrivatePostfix, stopAllPostfix, type PrivatePostfix } from './private-postfix.js';

const havePostfix = requirePrivatePostfix();

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One plain SMTP transaction; returns the final reply to DATA (and fails with the transcript otherwise). */
async function sendMessage(port: number, from: string, to: string, message: string, context: () => Promise<string>): Promise<RawReply> {
  const { client, banner } = await RawSmtp.open(port, { replyTimeoutMs: 20_000 });
  try {
    expect(banner.code, banner.text).toBe(220);
    const ehlo = await client.ehlo('client.example.test');
    expect(ehlo.reply.code, ehlo.reply.text).toBe(250);
    for (const [line, code] of [[`MAIL FROM:<${from}>`, 250], [`RCPT TO:<${to}>`, 250], ['DATA', 354]] as const) {
      const r = await client.command(line);
      if (r.code !== code) expect.fail(`${line} -> ${r.text} (expected ${code})\n${client.transcript}\n${await context()}`);
    }
    client.write(`${message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.\r\n`);
    return await client.reply();
  } finally {
    await client.quit();
  }
}

function testMessage(from: string, to: string, subject: string, messageId: string): string {
  return [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    '',
    'Interop with a private Postfix instance.',
    '',
  ].join('\n');
}

type LogLine = Record<string, unknown> & { tls?: { inbound?: Record<string, unknown> | null; receiving?: Record<string, unknown> | null } };

/** The gateway's JSON log lines (stdout), skipping anything that is not JSON. */
function gatewayLog(gateway: OwnedProcess): LogLine[] {
  const out: LogLine[] = [];
  for (const line of gateway.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // partial line
    }
  }
  return out;
}

async function waitForTransaction(gateway: OwnedProcess, match: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = gatewayLog(gateway).find((l) => l['event'] === 'transaction' && match(l));
    if (found) return found;
    if (Date.now() > until) throw new Error(`no matching transaction in the gateway log after ${timeoutMs} ms\n${gateway.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const messagesWithId = (mta: RecordingMta, id: string) => mta.messages.filter((m) => m.raw.toString('latin1').includes(`<${id}>`));

describe.skipIf(!havePostfix)('private Postfix as the TLS receiving MTA (gateway → Postfix smtpd, STARTTLS required)', () => {
  let tmp: string;
  let pki: TestPki;
  let mxCert: TestCert;
  let sink: RecordingMta;
  let postfix: PrivatePostfix;
  let gateway: OwnedProcess;
  let gwPort: number;
  const context = async (): Promise<string> => `--- gateway ---\n${gateway?.output() ?? ''}\n${postfix ? await postfix.diagnostics() : ''}`;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rg-postfix-rx-'));
    pki = makeTestPki(join(tmp, 'certs'));
    mxCert = pki.issue('postfix-mx', ['mx.example.test', '127.0.0.1']);
    sink = await startRecordingMta({ name: 'sink.example.test' });
    let pfPort: number;
    [gwPort, pfPort] = (await freePorts(2)) as [number, number];
    const startingPostfix = startPrivatePostfix({
      port: pfPort,
      hostname: 'mx.example.test',
      main: {
        smtpd_tls_security_level: 'encrypt',
        smtpd_tls_cert_file: mxCert.certPath,
        smtpd_tls_key_file: mxCert.keyPath,
        // Ask for the gateway's certificate and verify it against the test CA: "Trusted TLS connection".
        smtpd_tls_ask_ccert: 'yes',
        smtpd_tls_CAfile: pki.ca.certPath,
        smtpd_tls_received_header: 'yes',
        // Postfix hands the message on to a recording MTA, so delivery is observable.
        relayhost: `[127.0.0.1]:${sink.port}`,
        smtp_tls_security_level: 'none',
      },
    });
    const configDir = writeConfigDir(join(tmp, 'config'), {
      version: 1,
      gateway: {
        hostname: GATEWAY_HOSTNAME,
        listen: [{ address: '127.0.0.1', port: gwPort }],
        tls: { certificate: pki.gateway.certPath, key: pki.gateway.keyPath, authenticate: true },
      },
      upstreams: [{ name: 'client', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'optional', clientCertificate: 'none' } }],
      receivers: [
        {
          name: 'postfix-mx',
          host: '127.0.0.1',
          port: pfPort,
          tls: { starttls: 'required', trust: [pki.ca.certPath], verifyHostname: true, serverName: 'mx.example.test' },
        },
      ],
      routes: [{ domains: ['*'], receivers: ['postfix-mx'] }],
    });
    // Both start in parallel; afterAll stops whichever came up even if the other failed.
    [postfix, gateway] = await Promise.all([startingPostfix, startGatewayProcess(configDir, gwPort, ['--log-level', 'info'])]);
  });

  afterAll(async () => {
    await gateway?.stop('SIGTERM');
    await postfix?.stop();
    await sink?.close();
    await stopAllPostfix();
    await stopAllProcesses();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('relays over verified STARTTLS; the final reply carries Postfix’s queue id and Postfix delivers the message', async () => {
    const messageId = `${randomBytes(8).toString('hex')}@client.example.test`;
    const from = 'alice@corp.example';
    const to = 'bob@example.org';
    const final = await sendMessage(gwPort, from, to, testMessage(from, to, 'postfix receiver', messageId), context);
    const diag = async () => `${final.text}\n${await context()}`;
    expect(final.code, await diag()).toBe(250);
    const queueId = /queued as ([0-9A-Za-z]+)/.exec(final.text)?.[1];
    expect(queueId, await diag()).toBeDefined();

    // The id is Postfix's: its smtpd logged the same id for a client at 127.0.0.1 (the gateway) ...
    await postfix.waitForLog(new RegExp(`smtpd\\[\\d+\\]: ${queueId}: client=\\S+\\[127\\.0\\.0\\.1\\]`));
    // ... over TLS, with the gateway's client certificate verified against the CA.
    const tlsLine = await postfix.waitForLog(/smtpd\[\d+\]: (Trusted|Untrusted|Anonymous) TLS connection established from \S+\[127\.0\.0\.1\]: (TLSv1\.[23]) [^\n]*/);
    expect(tlsLine[1], tlsLine[0]).toBe('Trusted');

    // Postfix relays it on to the recording MTA.
    await postfix.waitForLog(new RegExp(`${queueId}: to=<${escape(to)}>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:${sink.port},[^\\n]* status=sent`));
    const [msg] = await sink.waitForMessages(1, 10_000);
    expect(messagesWithId(sink, messageId)).toHaveLength(1);
    const raw = msg!.raw.toString('latin1');
    expect(msg!.from).toBe(from);
    expect(msg!.to).toEqual([to]);
    expect(raw).toMatch(/^X-Relayguard-Loop: /m); // the gateway's header survived Postfix
    // smtpd_tls_received_header: Postfix's Received header records the TLS session and its queue id.
    expect(raw).toMatch(new RegExp(`Received: from ${escape(GATEWAY_HOSTNAME)} [^]*?\\(using TLSv1\\.[23] with cipher [^]*?with ESMTPS id ${queueId}`));

    // The gateway's transaction line: verified receiving leg, Postfix's queue id.
    const tx = await waitForTransaction(gateway, (l) => l['queueId'] === queueId);
    expect(tx['receiver']).toBe('postfix-mx');
    expect(tx.tls?.receiving).toMatchObject({ verified: true, peerFingerprint: mxCert.cert.fingerprint256 });
  });
});

describe.skipIf(!havePostfix)('private Postfix as the upstream MTA presenting a client certificate (Postfix smtp → gateway → recording MTA)', () => {
  let tmp: string;
  let pki: TestPki;
  let upstreamCert: TestCert;
  let mta: RecordingMta;
  let postfix: PrivatePostfix;
  let gateway: OwnedProcess;
  let gwPort: number;
  const context = async (): Promise<string> => `--- gateway ---\n${gateway?.output() ?? ''}\n${postfix ? await postfix.diagnostics() : ''}`;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rg-postfix-up-'));
    pki = makeTestPki(join(tmp, 'certs'));
    upstreamCert = pki.issue('corp-postfix', ['corp-postfix.example.test']);
    mta = await startRecordingMta({ name: 'mx.example.org' });
    [gwPort] = (await freePorts(1)) as [number];
    const configDir = writeConfigDir(join(tmp, 'config'), mutualTlsTopology({ port: gwPort, pki, upstream: 'corp-postfix', receiverPort: mta.port }));
    const startingGateway = startGatewayProcess(configDir, gwPort, ['--log-level', 'info']);
    const startingPostfix = startPrivatePostfix({
      hostname: 'corp-postfix.example.test',
      main: {
        relayhost: `[127.0.0.1]:${gwPort}`,
        // Mandatory, authenticated TLS to the gateway, with a client certificate from the test CA.
        smtp_tls_security_level: 'verify',
        smtp_tls_verify_cert_match: GATEWAY_HOSTNAME,
        smtp_tls_CAfile: pki.ca.certPath,
        smtp_tls_cert_file: upstreamCert.certPath,
        smtp_tls_key_file: upstreamCert.keyPath,
        // Mail for nocert.example.test leaves through a transport that has no client certificate.
        transport_maps: `inline:{nocert.example.test=nocert:[127.0.0.1]:${gwPort}}`,
      },
      master: ['nocert    unix  - - n - - smtp -o smtp_tls_cert_file= -o smtp_tls_key_file='],
    });
    [gateway, postfix] = await Promise.all([startingGateway, startingPostfix]);
  });

  afterAll(async () => {
    await postfix?.stop();
    await gateway?.stop('SIGTERM');
    await mta?.close();
    await stopAllPostfix();
    await stopAllProcesses();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('Postfix relays through the gateway with its client certificate; delivered exactly once, certificate verified', async () => {
    const messageId = `${randomBytes(8).toString('hex')}@corp.example`;
    const from = 'alice@corp.example';
    const to = 'bob@example.org';
    const accepted = await sendMessage(postfix.port, from, to, testMessage(from, to, 'postfix upstream', messageId), context);
    expect(accepted.code, `${accepted.text}\n${await postfix.diagnostics()}`).toBe(250);
    const queueId = /queued as ([0-9A-Za-z]+)/.exec(accepted.text)?.[1];
    expect(queueId, accepted.text).toBeDefined();

    // Postfix's smtp client: verified TLS to the gateway, then the gateway's 250 after the receiving MTA's.
    const sent = await postfix
      .waitForLog(new RegExp(`${queueId}: to=<${escape(to)}>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:${gwPort},[^\\n]* status=(sent|deferred|bounced) \\(([^\\n]*)\\)`))
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\n--- gateway ---\n${gateway.output()}\n${await postfix.diagnostics()}`);
      });
    expect(sent[1], `${sent[0]}\n--- gateway ---\n${gateway.output()}`).toBe('sent');
    expect(postfix.maillog()).toMatch(new RegExp(`Verified TLS connection established to 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:${gwPort}: TLSv1\\.[23]`));

    await mta.waitForMessages(1, 10_000);
    // Exactly once: nothing more arrives after Postfix logged the delivery as sent.
    await new Promise((r) => setTimeout(r, 1_500));
    const delivered = messagesWithId(mta, messageId);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.from).toBe(from);
    expect(delivered[0]!.to).toEqual([to]);
    const raw = delivered[0]!.raw.toString('latin1');
    expect(raw).toMatch(/^X-Relayguard-Loop: /m);
    expect(raw).toMatch(new RegExp(`with ESMTP id ${queueId}`)); // Postfix's own Received header

    // The gateway verified the client certificate and says so in its transaction line.
    const tx = await waitForTransaction(gateway, (l) => Array.isArray(l['to']) && (l['to'] as unknown[]).includes(to) && l['upstream'] === 'corp-postfix');
    expect(tx['outcome'], JSON.stringify(tx)).toBeDefined();
    expect(tx.tls?.inbound).toMatchObject({ verified: true, peerFingerprint: upstreamCert.cert.fingerprint256 });
    expect(String(tx.tls?.inbound?.['peerSubject'])).toContain('corp-postfix.example.test');
    // The status Postfix logged is the reply the gateway relayed from the receiving MTA.
    expect(sent[2]).toMatch(/^250 /);
  });

  it('Postfix without a client certificate: the gateway refuses, Postfix defers and logs why, nothing is delivered', async () => {
    const before = mta.messages.length;
    const messageId = `${randomBytes(8).toString('hex')}@corp.example`;
    const from = 'alice@corp.example';
    const to = 'carol@nocert.example.test';
    const accepted = await sendMessage(postfix.port, from, to, testMessage(from, to, 'postfix upstream without certificate', messageId), context);
    expect(accepted.code, accepted.text).toBe(250);
    const queueId = /queued as ([0-9A-Za-z]+)/.exec(accepted.text)?.[1];
    expect(queueId, accepted.text).toBeDefined();

    const deferred = await postfix.waitForLog(new RegExp(`${queueId}: to=<${escape(to)}>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:${gwPort},[^\\n]* status=(\\w+) \\(([^\\n]*)\\)`));
    expect(deferred[1], deferred[0]).toBe('deferred');
    expect(deferred[2], deferred[0]).toMatch(/4\d\d[ -]4\.7\.0 TLS client certificate required/);
    // The gateway names the cause in its own log.
    expect(gateway.output()).toContain('RG_TLS_PEER_NO_CERTIFICATE');
    expect(mta.messages.length).toBe(before);
    expect(messagesWithId(mta, messageId)).toHaveLength(0);
    // Still queued at Postfix for a later retry, not lost.
    expect(await postfix.queue()).toContain(queueId!);
  });
});

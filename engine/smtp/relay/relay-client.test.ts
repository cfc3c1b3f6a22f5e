import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { X509Certificate } from 'node:crypto';
import { RelayConnection, RelayError, toUpstreamReply } from './relay-client.js';
import { selfSignedCertificate, startRecordingMta, startScriptedMta } from '../../../test/helpers/recording-mta.js';
import type { RelayConnectOptions } from './relay-client.js';
import type { RecordingMtaOptions, ScriptedPeer } from '../../../test/helpers/recording-mta.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function options(port: number, extra: Partial<RelayConnectOptions> = {}): RelayConnectOptions {
  return {
    host: '127.0.0.1',
    port,
    ehloName: 'gw.example.test',
    timeouts: { connectMs: 5_000, greetingMs: 5_000, commandMs: 5_000, dataMs: 30_000 },
    tls: { starttls: 'disabled', options: {} },
    ...extra,
  };
}

async function mta(opts: RecordingMtaOptions = {}) {
  const m = await startRecordingMta(opts);
  cleanups.push(() => m.close());
  return m;
}

async function scripted(script: (peer: ScriptedPeer) => Promise<void>) {
  const s = await startScriptedMta(script);
  cleanups.push(() => s.close());
  return s;
}

async function open(opts: RelayConnectOptions): Promise<RelayConnection> {
  const conn = await RelayConnection.open(opts);
  cleanups.push(() => conn.close());
  return conn;
}

async function relayError(p: Promise<unknown>): Promise<RelayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RelayError);
  return err as RelayError;
}

/** The scripted server greets and accepts one MAIL and one RCPT. */
async function acceptEnvelope(peer: ScriptedPeer): Promise<void> {
  await peer.greet();
  await peer.expect('MAIL');
  peer.send('250 ok\r\n');
  await peer.expect('RCPT');
  peer.send('250 ok\r\n');
}

const BODY = 'From: a@example.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n';

describe('RelayConnection against smtp-server', () => {
  it('relays a pipelined transaction and returns the final reply with the queue id', async () => {
    const m = await mta();
    const conn = await open(options(m.port));
    expect(conn.capabilities.pipelining).toBe(true);
    const { mail, rcpts } = await conn.mailAndRcpts('a@example.test', [], ['b@example.test', { address: 'c@example.test' }]);
    expect(mail.code).toBe(250);
    expect(rcpts.map((r) => r.code)).toEqual([250, 250]);
    const final = await conn.data([Buffer.from(BODY)]);
    expect(final.code).toBe(250);
    expect(final.lines.join(' ')).toMatch(/queued as RGTEST\d+/);
    const [msg] = await m.waitForMessages(1);
    expect(msg?.from).toBe('a@example.test');
    expect(msg?.to).toEqual(['b@example.test', 'c@example.test']);
    expect(msg?.raw.toString()).toBe(BODY);
    expect(conn.transactions).toBe(1);
    expect(conn.inTransaction).toBe(false);
    expect(conn.usable).toBe(true);
    await conn.quit();
    expect(conn.usable).toBe(false);
  });

  it('returns a per-recipient rejection as the server replied it', async () => {
    const m = await mta({ rejectRcpt: (a) => (a.startsWith('nobody') ? { code: 550, message: '5.1.1 No such user here' } : undefined) });
    const conn = await open(options(m.port));
    expect((await conn.mail('a@example.test')).code).toBe(250);
    const bad = await conn.rcpt('nobody@example.test');
    expect(bad).toEqual({ code: 550, enhanced: '5.1.1', lines: ['No such user here'] });
    expect((await conn.rcpt('b@example.test')).code).toBe(250);
    expect((await conn.data([Buffer.from(BODY)])).code).toBe(250);
    expect((await m.waitForMessages(1))[0]?.to).toEqual(['b@example.test']);
  });

  it('returns 4xx at MAIL, RCPT and end of DATA as values', async () => {
    const m1 = await mta({ failAt: { mail: { code: 451, message: 'try later' } } });
    const c1 = await open(options(m1.port));
    expect(await c1.mail('a@example.test')).toMatchObject({ code: 451, lines: ['try later'] });

    const m2 = await mta({ rejectRcpt: () => ({ code: 450, message: 'mailbox busy' }), dataReply: () => ({ code: 451, message: 'scan failed' }) });
    const c2 = await open(options(m2.port));
    await c2.mail('a@example.test');
    expect(await c2.rcpt('b@example.test')).toMatchObject({ code: 450, lines: ['mailbox busy'] });

    const m3 = await mta({ dataReply: () => ({ code: 451, message: 'scan failed' }) });
    const c3 = await open(options(m3.port));
    await c3.mail('a@example.test');
    await c3.rcpt('b@example.test');
    expect(await c3.data([Buffer.from(BODY)])).toMatchObject({ code: 451, lines: ['scan failed'] });
    expect(c3.usable).toBe(true);
    expect(m3.rejected).toHaveLength(1);
  });

  it('treats a non-2xx banner as an error carrying that reply', async () => {
    const m = await mta({ failAt: { connect: { code: 554, message: 'go away' } } });
    const err = await relayError(RelayConnection.open(options(m.port)));
    expect(err.code).toBe('RG_RELAY_GREETING');
    expect(err.reply?.code).toBe(554);
    expect(toUpstreamReply(err)).toMatchObject({ code: 421, enhanced: '4.4.1' });
  });

  it('reads SIZE and sends MAIL and RCPTs one by one without PIPELINING', async () => {
    const m = await mta({ size: 1000, hidePipelining: true });
    const conn = await open(options(m.port));
    expect(conn.capabilities).toMatchObject({ pipelining: false, size: 1000, esmtp: true });
    const { mail, rcpts } = await conn.mailAndRcpts('a@example.test', ['SIZE=100'], ['b@example.test', 'c@example.test']);
    expect([mail.code, ...rcpts.map((r) => r.code)]).toEqual([250, 250, 250]);
    expect(await conn.data([Buffer.from('x'.repeat(1200))])).toMatchObject({ code: 552 });
  });

  it('stops connecting when the signal aborts', async () => {
    const s = await scripted((peer) => peer.closed);
    const controller = new AbortController();
    const pending = RelayConnection.open(options(s.port), controller.signal);
    setTimeout(() => controller.abort(), 50);
    expect((await relayError(pending)).code).toBe('RG_RELAY_ABORTED');
  });

  it('round-trips dot-stuffing byte-exact', async () => {
    const m = await mta();
    const conn = await open(options(m.port));
    const body = 'Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\nmid.dle\r\n\r\n.\r\n. \r\nend\r\n';
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    // Split inside the dot lines to exercise chunk boundaries.
    const parts = [body.slice(0, 18), body.slice(18, 19), body.slice(19, 33), body.slice(33)].map((s) => Buffer.from(s));
    expect((await conn.data(parts)).code).toBe(250);
    expect((await m.waitForMessages(1))[0]?.raw.toString()).toBe(body);
  });

  it('reports a drop during DATA as connection lost in phase data', async () => {
    const m = await mta({ dropDuringData: true });
    const conn = await open(options(m.port));
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    const err = await relayError(conn.data([Buffer.from(BODY)]));
    expect(err.code).toBe('RG_RELAY_CONNECTION_LOST');
    expect(err.phase).toBe('data');
    expect(toUpstreamReply(err)).toMatchObject({ code: 421, enhanced: '4.4.2' });
    expect(toUpstreamReply(err).lines[0]).toContain(`127.0.0.1:${m.port}`);
    expect(conn.usable).toBe(false);
  });

  it('streams a 50 MB body without holding it in memory', async () => {
    const m = await mta({ keepBody: false });
    const conn = await open(options(m.port));
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    const line = Buffer.from(`${'x'.repeat(76)}\r\n`);
    const chunk = Buffer.concat(Array.from({ length: 64 * 1024 / line.length }, () => line));
    const total = 50 * 1024 * 1024;
    let produced = 0;
    let maxInFlight = 0;
    const memory = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const memBefore = memory();
    let memPeak = memBefore;
    async function* body(): AsyncGenerator<Buffer> {
      while (produced < total) {
        maxInFlight = Math.max(maxInFlight, produced - m.bytesReceived());
        memPeak = Math.max(memPeak, memory());
        produced += chunk.length;
        yield Buffer.from(chunk);
      }
    }
    expect((await conn.data(body())).code).toBe(250);
    const [msg] = await m.waitForMessages(1);
    expect(msg?.size).toBe(produced);
    console.log(`50 MB body: max in flight ${(maxInFlight / 1048576).toFixed(1)} MiB, heap+buffers growth ${((memPeak - memBefore) / 1048576).toFixed(1)} MiB`);
    // The generator is only pulled as the socket drains: bytes sent but not yet received stay small.
    expect(maxInFlight).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('RelayConnection transport failures', () => {
  it('maps a refused connection to RG_RELAY_CONNECT_REFUSED', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await relayError(RelayConnection.open(options(port)));
    expect(err.code).toBe('RG_RELAY_CONNECT_REFUSED');
    expect(err.phase).toBe('connect');
    expect(toUpstreamReply(err)).toMatchObject({ code: 421, enhanced: '4.4.1' });
  });

  it('times out a server that never sends a banner', async () => {
    const s = await scripted((peer) => peer.closed);
    const err = await relayError(RelayConnection.open(options(s.port, { timeouts: { greetingMs: 200 } })));
    expect(err.code).toBe('RG_RELAY_TIMEOUT');
    expect(err.phase).toBe('greeting');
  });

  it('falls back to HELO when EHLO is refused', async () => {
    const s = await scripted(async (peer) => {
      peer.send('220 old.example.test SMTP\r\n');
      await peer.expect('EHLO');
      peer.send('502 5.5.1 what?\r\n');
      await peer.expect('HELO');
      peer.send('250 old.example.test\r\n');
      await peer.expect('MAIL');
      peer.send('250 ok\r\n');
      await peer.closed;
    });
    const conn = await open(options(s.port));
    expect(conn.capabilities.esmtp).toBe(false);
    expect((await conn.mailAndRcpts('a@example.test', [], [])).mail.code).toBe(250);
  });

  it('returns a 4xx to the DATA command without sending the body', async () => {
    let after = '';
    const s = await scripted(async (peer) => {
      await acceptEnvelope(peer);
      await peer.expect('DATA');
      peer.send('451 4.3.0 no spool space\r\n');
      after = await peer.readLine();
      peer.send('250 2.0.0 reset\r\n');
      await peer.closed;
    });
    const conn = await open(options(s.port));
    await conn.mail('a@example.test');
    await conn.rcpt('b@example.test');
    expect(await conn.data([Buffer.from(BODY)])).toMatchObject({ code: 451, enhanced: '4.3.0' });
    expect(conn.inTransaction).toBe(true);
    expect((await conn.rset()).code).toBe(250);
    expect(after).toBe('RSET');
  });

  it('beginData sends DATA ahead; data() then sends only the body, once', async () => {
    const lines: string[] = [];
    let body: Buffer = Buffer.alloc(0);
    const s = await scripted(async (peer) => {
      await peer.greet();
      for (const verb of ['MAIL', 'RCPT', 'DATA']) {
        lines.push(await peer.expect(verb));
        peer.send(verb === 'DATA' ? '354 go ahead\r\n' : '250 ok\r\n');
      }
      body = await peer.readData();
      peer.send('250 2.0.0 queued as EARLY\r\n');
      lines.push(await peer.readLine());
      peer.send('221 bye\r\n');
      await peer.closed;
    });
    const conn = await open(options(s.port));
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    conn.beginData();
    conn.beginData(); // a second call is a no-op, not a second DATA
    expect(conn.dataOpen).toBe(true);
    expect(conn.usable).toBe(false);
    expect((await conn.data([Buffer.from(BODY)])).lines.join(' ')).toContain('EARLY');
    expect(conn.dataOpen).toBe(false);
    expect(conn.usable).toBe(true);
    await conn.quit();
    expect(lines).toEqual(['MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>', 'DATA', 'QUIT']);
    expect(body.toString('latin1')).toBe(BODY);
  });

  it('a connection left inside an early DATA is closed hard, never QUIT or completed', async () => {
    let rest = '';
    const s = await scripted(async (peer) => {
      await acceptEnvelope(peer);
      await peer.expect('DATA');
      peer.send('354 go ahead\r\n');
      peer.socket.on('data', (d: Buffer) => (rest += d.toString('latin1')));
      await peer.closed;
    });
    const conn = await open(options(s.port));
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    conn.beginData();
    await new Promise((r) => setTimeout(r, 50));
    await conn.quit();
    await new Promise((r) => setTimeout(r, 50));
    expect(rest).toBe('');
  });

  it('an early DATA refused with 554 is returned by data() without sending the body', async () => {
    let after = '';
    const s = await scripted(async (peer) => {
      await acceptEnvelope(peer);
      await peer.expect('DATA');
      peer.send('554 5.5.1 no valid recipients\r\n');
      after = await peer.readLine();
      peer.send('250 2.0.0 reset\r\n');
      await peer.closed;
    });
    const conn = await open(options(s.port));
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    conn.beginData();
    expect(await conn.data([Buffer.from(BODY)])).toMatchObject({ code: 554, enhanced: '5.5.1' });
    expect(conn.usable).toBe(true);
    expect((await conn.rset()).code).toBe(250);
    expect(after).toBe('RSET');
  });

  it('reports a connection dropped after the final dot as lost in phase data', async () => {
    const s = await scripted(async (peer) => {
      await acceptEnvelope(peer);
      await peer.expect('DATA');
      peer.send('354 go\r\n');
      await peer.readData();
      peer.socket.destroy();
    });
    const conn = await open(options(s.port));
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    const err = await relayError(conn.data([Buffer.from(BODY)]));
    expect([err.code, err.phase]).toEqual(['RG_RELAY_CONNECTION_LOST', 'data']);
  });

  it('times out a final reply that never comes', async () => {
    const s = await scripted(async (peer) => {
      await peer.greet();
      await peer.expect('MAIL');
      peer.send('250 ok\r\n');
      await peer.expect('DATA');
      peer.send('354 go\r\n');
      await peer.closed;
    });
    const conn = await open(options(s.port, { timeouts: { dataMs: 300 } }));
    await conn.mail('a@example.test');
    const err = await relayError(conn.data([Buffer.from(BODY)]));
    expect([err.code, err.phase]).toEqual(['RG_RELAY_TIMEOUT', 'data']);
  });

  it('never completes a message whose body stream fails', async () => {
    let data: Buffer | null = null;
    const s = await scripted(async (peer) => {
      await peer.greet();
      await peer.expect('MAIL');
      peer.send('250 ok\r\n');
      await peer.expect('DATA');
      peer.send('354 go\r\n');
      data = await peer.readData();
    });
    const conn = await open(options(s.port));
    await conn.mail('a@example.test');
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('Subject: x\r\n\r\npartial');
      throw new Error('spool read failed');
    }
    const err = await relayError(conn.data(broken()));
    expect(err.code).toBe('RG_RELAY_BODY_READ');
    await new Promise((r) => setTimeout(r, 50));
    expect(data).toBeNull();
  });

  it('refuses CR or LF in an address', async () => {
    const m = await mta();
    const conn = await open(options(m.port));
    const err = await relayError(conn.mail('a@example.test>\r\nRCPT TO:<x@example.test'));
    expect(err.code).toBe('RG_RELAY_BAD_ARGUMENT');
  });
});

describe('RelayConnection STARTTLS', () => {
  const pair = selfSignedCertificate('mx.example.test');
  const fingerprint = new X509Certificate(pair.cert).fingerprint256;
  const tlsPolicy = (starttls: 'required' | 'optional', expected = fingerprint) => ({
    starttls,
    options: { rejectUnauthorized: false, servername: 'mx.example.test' },
    verify: (s: import('node:tls').TLSSocket) =>
      s.getPeerCertificate().fingerprint256 === expected ? ({ ok: true } as const) : ({ ok: false, code: 'RG_TLS_PIN', message: 'fingerprint differs' } as const),
  });

  it('upgrades, verifies the peer and relays over TLS', async () => {
    const m = await mta({ tls: pair });
    const conn = await open(options(m.port, { tls: tlsPolicy('required') }));
    expect(conn.tlsInfo).toMatchObject({ verified: true, peerFingerprint: fingerprint });
    expect(conn.tlsInfo?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(conn.capabilities.starttls).toBe(false); // the post-TLS EHLO no longer offers it
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    expect((await conn.data([Buffer.from(BODY)])).code).toBe(250);
    const [msg] = await m.waitForMessages(1);
    expect(msg?.tls?.servername).toBe('mx.example.test');
  });

  it('encrypts without verifying when no verifier is given (authenticate: false)', async () => {
    const m = await mta({ tls: pair });
    const conn = await open(options(m.port, { tls: { starttls: 'required', options: { rejectUnauthorized: false } } }));
    expect(conn.tlsInfo).toMatchObject({ verified: false, peerFingerprint: fingerprint });
    expect(conn.tlsInfo?.peerSubject).toContain('CN=mx.example.test');
  });

  it('presents a client certificate for mutual TLS', async () => {
    const client = selfSignedCertificate('gw.example.test');
    const m = await mta({ tls: { ...pair, requestCert: true } });
    const policy = { ...tlsPolicy('required'), options: { ...tlsPolicy('required').options, key: client.key, cert: client.cert } };
    const conn = await open(options(m.port, { tls: policy }));
    await conn.mailAndRcpts('a@example.test', [], ['b@example.test']);
    expect((await conn.data([Buffer.from(BODY)])).code).toBe(250);
    const [msg] = await m.waitForMessages(1);
    expect(msg?.clientCert?.fingerprint256).toBe(new X509Certificate(client.cert).fingerprint256);
  });

  it('fails verification with RG_RELAY_TLS_VERIFY and sends no MAIL', async () => {
    const m = await mta({ tls: pair });
    const err = await relayError(RelayConnection.open(options(m.port, { tls: tlsPolicy('required', 'AA:BB') })));
    expect([err.code, err.phase]).toEqual(['RG_RELAY_TLS_VERIFY', 'starttls']);
    expect(err.message).toContain('RG_TLS_PIN');
  });

  it('refuses to send anything when STARTTLS is required but not offered', async () => {
    const seen: string[] = [];
    const s = await scripted(async (peer) => {
      await peer.greet(['PIPELINING', 'SIZE 1000']);
      for (;;) {
        const line = await peer.readLine().catch(() => null);
        if (line === null) return;
        seen.push(line);
        peer.send(line === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n');
      }
    });
    const err = await relayError(RelayConnection.open(options(s.port, { tls: tlsPolicy('required') })));
    expect([err.code, err.phase]).toEqual(['RG_RELAY_NO_STARTTLS', 'starttls']);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['QUIT']);
  });

  it('rejects bytes injected after the 220 to STARTTLS', async () => {
    const s = await scripted(async (peer) => {
      await peer.greet(['STARTTLS']);
      await peer.expect('STARTTLS');
      peer.send('220 go ahead\r\n250 injected\r\n');
      await peer.closed;
    });
    const err = await relayError(RelayConnection.open(options(s.port, { tls: tlsPolicy('required') })));
    expect([err.code, err.phase]).toEqual(['RG_RELAY_PROTOCOL', 'starttls']);
  });

  it('fails the handshake with RG_RELAY_TLS_HANDSHAKE when required', async () => {
    const s = await scripted(async (peer) => {
      await peer.greet(['STARTTLS']);
      await peer.expect('STARTTLS');
      peer.send('220 go ahead\r\n');
      await new Promise((r) => setTimeout(r, 20));
      peer.send('this is not TLS\r\n');
      await peer.closed;
    });
    const err = await relayError(RelayConnection.open(options(s.port, { tls: tlsPolicy('required') })));
    expect([err.code, err.phase]).toEqual(['RG_RELAY_TLS_HANDSHAKE', 'starttls']);
  });

  it('reconnects once in clear when an opportunistic handshake fails, and records it', async () => {
    const s = await scripted(async (peer) => {
      await peer.greet(['STARTTLS', 'PIPELINING']);
      const line = await peer.readLine();
      if (line === 'STARTTLS') {
        peer.send('220 go ahead\r\n');
        await new Promise((r) => setTimeout(r, 20));
        peer.socket.destroy();
        return;
      }
      peer.send('250 ok\r\n');
      await peer.closed;
    });
    const conn = await open(options(s.port, { tls: tlsPolicy('optional') }));
    expect(conn.tlsInfo).toBeNull();
    expect(conn.tlsFallback).toMatch(/TLS handshake failed/);
    expect((await conn.mail('a@example.test')).code).toBe(250);
    expect(s.connections()).toBe(2);
  });
});

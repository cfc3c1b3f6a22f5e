// Forward mode end to end: nodemailer or raw upstream → gateway → recording MTA(s).
// Invariant checked throughout: what the sender saw accepted was delivered exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { startRecordingMta, startScriptedMta } from '../helpers/recording-mta.js';
import { freePort } from '../helpers/ports.js';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { RecordingMta } from '../helpers/recording-mta.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function mta(opts: Parameters<typeof startRecordingMta>[0] = {}): Promise<RecordingMta> {
  const m = await startRecordingMta(opts);
  cleanups.push(() => m.close());
  return m;
}

async function gateway(opts: Parameters<typeof startGateway>[0]): Promise<GatewayHarness> {
  const g = await startGateway(opts);
  cleanups.push(() => g.close());
  return g;
}

async function client(gw: GatewayHarness, localAddress?: string): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(gw.port, localAddress === undefined ? {} : { localAddress });
  cleanups.push(() => c.close());
  return c;
}

async function greeted(gw: GatewayHarness): Promise<RawSmtpClient> {
  const c = await client(gw);
  expect((await c.reply()).code).toBe(220);
  return c;
}

function sender(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } });
}

describe('forward mode', () => {
  it('relays a message and answers with the receiving MTA own queue id', async () => {
    const mx = await mta();
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
    const info = await sender(gw.port).sendMail({ from: 'alice@corp.example', to: 'bob@example.org', subject: 'hello', text: 'hi there\n' });
    expect(info.response).toMatch(/^250 .*queued as RGTEST000001/);
    expect(mx.messages).toHaveLength(1);
    const got = mx.messages[0];
    expect(got?.from).toBe('alice@corp.example');
    expect(got?.to).toEqual(['bob@example.org']);
    const raw = got?.raw.toString('latin1') ?? '';
    expect(raw).toMatch(/^Received: from /);
    expect(raw).toContain('by gw.example.test (relayguard)');
    expect(raw).toMatch(/\r\nX-Relayguard-Loop: gw\.example\.test; v=2; t=\d+; mac=[0-9a-f]{64}\r\n/);
    expect(raw).toContain('hi there');
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'transaction record');
    expect(gw.observer.transactions[0]).toMatchObject({ outcome: 'delivered', receiver: 'mx-1', upstream: 'corp', mode: 'forward', decision: 'pass', recipients: ['bob@example.org'] });
    expect(gw.logs.some((l) => l['event'] === 'transaction' && l['outcome'] === 'delivered')).toBe(true);
  });

  it('answers each RCPT with the receiving MTA own reply, and delivers to the accepted ones only', async () => {
    const mx = await mta({ rejectRcpt: (a) => (a.startsWith('nobody@') ? { code: 550, message: '5.1.1 <nobody@example.org>: Recipient address rejected: User unknown' } : undefined) });
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
    const c = await greeted(gw);
    const t = await rawTransaction(c, { ehlo: 'corp.example', from: 'alice@corp.example', to: ['bob@example.org', 'nobody@example.org', 'carol@example.org'], body: testMessage() });
    expect(t.rcpts.map((r) => r.code)).toEqual([250, 550, 250]);
    expect(t.rcpts[1]?.text).toBe('550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown');
    expect(t.final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
    expect(mx.messages[0]?.to).toEqual(['bob@example.org', 'carol@example.org']);
  });

  it('reuses the receiving connection for the next transaction', async () => {
    const mx = await mta();
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
    const c = await greeted(gw);
    const a = await rawTransaction(c, { ehlo: 'corp.example', from: 'a@corp.example', to: ['x@example.org'], body: testMessage() });
    const b = await rawTransaction(c, { from: 'b@corp.example', to: ['y@example.org'], body: testMessage() });
    expect([a.final?.code, b.final?.code]).toEqual([250, 250]);
    expect(mx.messages.map((m) => m.from)).toEqual(['a@corp.example', 'b@corp.example']);
    expect(mx.connections()).toBe(1);
  });

  it('answers 421 4.4.1 naming the receiver when it is unreachable, and delivers nothing', async () => {
    const dead = await freePort();
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-dead', port: dead }] }) });
    const c = await greeted(gw);
    const t = await rawTransaction(c, { ehlo: 'corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(t.mail.code).toBe(250);
    expect(t.rcpts[0]?.code).toBe(421);
    expect(t.rcpts[0]?.text).toMatch(/^421 4\.4\.1 .*mx-dead \(127\.0\.0\.1:\d+\) \[RG_RELAY_CONNECT_REFUSED\]/);
    await c.closed();
    expect(gw.observer.relayErrors).toEqual([{ receiver: 'mx-dead', kind: 'RG_RELAY_CONNECT_REFUSED' }]);
  });

  it('passes a 4xx final reply of the receiving MTA through unchanged', async () => {
    const mx = await mta({ dataReply: () => ({ code: 451, message: '4.3.0 Temporary lookup failure' }) });
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
    const c = await greeted(gw);
    const t = await rawTransaction(c, { ehlo: 'corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(t.final?.text).toBe('451 4.3.0 Temporary lookup failure');
    expect(mx.messages).toHaveLength(0);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'record');
    expect(gw.observer.transactions[0]).toMatchObject({ outcome: 'tempfailed', downstreamReply: '451 4.3.0 Temporary lookup failure' });
  });

  it('answers 421 4.4.2 when the receiving MTA drops the connection mid-DATA, and nothing is delivered', async () => {
    const mx = await mta({ dropDuringData: true });
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
    const c = await greeted(gw);
    const t = await rawTransaction(c, { ehlo: 'corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage({ body: 'x'.repeat(200_000) }) });
    expect(t.final?.text).toMatch(/^421 4\.4\.2 /);
    expect(mx.messages).toHaveLength(0);
  });

  it('never answers 250 when the receiving MTA closes after the message without a final reply', async () => {
    const scripted = await startScriptedMta(async (peer) => {
      await peer.greet(['PIPELINING']);
      await peer.expect('MAIL');
      peer.send('250 2.1.0 ok\r\n');
      await peer.expect('RCPT');
      peer.send('250 2.1.5 ok\r\n');
      await peer.expect('DATA');
      peer.send('354 go\r\n');
      await peer.readData();
      peer.socket.destroy();
    });
    cleanups.push(() => scripted.close());
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: scripted.port }] }) });
    const c = await greeted(gw);
    const t = await rawTransaction(c, { ehlo: 'corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(t.final?.code).toBe(421);
  });

  it('fails over to the next receiver when the first is unreachable', async () => {
    const dead = await freePort();
    const mx = await mta();
    const gw = await gateway({
      topology: (env) =>
        forwardTopology(env, {
          receivers: [
            { name: 'mx-dead', port: dead },
            { name: 'mx-2', port: mx.port },
          ],
          routes: [{ domains: ['*'], receivers: ['mx-dead', 'mx-2'], strategy: 'failover' }],
        }),
    });
    const info = await sender(gw.port).sendMail({ from: 'alice@corp.example', to: 'bob@example.org', text: 'x' });
    expect(info.response).toMatch(/^250 /);
    expect(mx.messages).toHaveLength(1);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'record');
    expect(gw.observer.transactions[0]?.receiver).toBe('mx-2');
  });

  it('spreads transactions over receivers round-robin', async () => {
    const mx1 = await mta();
    const mx2 = await mta();
    const gw = await gateway({
      topology: (env) =>
        forwardTopology(env, {
          receivers: [
            { name: 'mx-1', port: mx1.port },
            { name: 'mx-2', port: mx2.port },
          ],
          routes: [{ domains: ['*'], receivers: ['mx-1', 'mx-2'], strategy: 'round-robin' }],
        }),
    });
    const c = await greeted(gw);
    await c.command('EHLO corp.example');
    for (let i = 0; i < 4; i++) {
      const t = await rawTransaction(c, { from: 'alice@corp.example', to: [`r${i}@example.org`], body: testMessage() });
      expect(t.final?.code).toBe(250);
    }
    expect([mx1.messages.length, mx2.messages.length]).toEqual([2, 2]);
  });

  it('answers 452 4.5.3 to a recipient routed to a different receiver set, 550 to one without a route', async () => {
    const mx1 = await mta();
    const mx2 = await mta();
    const gw = await gateway({
      topology: (env) =>
        forwardTopology(env, {
          receivers: [
            { name: 'mx-1', port: mx1.port },
            { name: 'mx-2', port: mx2.port },
          ],
          routes: [
            { domains: ['example.org'], receivers: ['mx-1'] },
            { domains: ['example.net'], receivers: ['mx-2'] },
          ],
        }),
    });
    const c = await greeted(gw);
    const t = await rawTransaction(c, { ehlo: 'corp.example', from: 'alice@corp.example', to: ['a@example.org', 'b@example.net', 'c@elsewhere.test', 'd@example.org'], body: testMessage() });
    expect(t.rcpts.map((r) => r.text)).toEqual([
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^452 4\.5\.3 /),
      '550 5.7.1 relay to elsewhere.test is not permitted (no route)',
      expect.stringMatching(/^250 /),
    ]);
    expect(t.final?.code).toBe(250);
    expect(mx1.messages.map((m) => m.to)).toEqual([['a@example.org', 'd@example.org']]);
    expect(mx2.messages).toHaveLength(0);
  });

  it('refuses a client that is not an upstream with 554 at connect', async () => {
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: 1 }] }) });
    const c = await client(gw, '127.0.0.2');
    const r = await c.reply();
    expect(r.text).toBe('554 5.7.1 127.0.0.2 is not an allowed upstream of this gateway');
    await c.closed();
    expect(gw.observer.refused).toEqual([{ remoteAddress: '127.0.0.2', reason: 'unknown-client' }]);
  });

  it('refuses connections over the per-upstream limit with 421 4.7.0', async () => {
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: 1 }], upstream: { maxConnections: 1 } }) });
    await greeted(gw);
    const second = await client(gw);
    expect((await second.reply()).text).toBe('421 4.7.0 too many connections from corp, try again later');
  });

  it('refuses an oversized message with 552 5.3.4 and delivers nothing', async () => {
    const mx = await mta();
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }], gateway: { maxMessageBytes: 4096 } }) });
    const c = await greeted(gw);
    const ehlo = await c.command('EHLO corp.example');
    expect(ehlo.text).toContain('SIZE 4096');
    expect((await c.command('MAIL FROM:<a@corp.example> SIZE=999999')).code).toBe(552);
    const t = await rawTransaction(c, { from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage({ body: 'y'.repeat(10_000) }) });
    expect(t.final?.text).toMatch(/^552 5\.3\.4 /);
    const ok = await rawTransaction(c, { from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(ok.final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
  });

  it('answers 452 4.5.3 over maxRecipients', async () => {
    const mx = await mta();
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }], gateway: { maxRecipients: 2 } }) });
    const c = await greeted(gw);
    const t = await rawTransaction(c, { ehlo: 'corp.example', from: 'a@corp.example', to: ['1@example.org', '2@example.org', '3@example.org'], body: testMessage() });
    expect(t.rcpts.map((r) => r.code)).toEqual([250, 250, 452]);
    expect(t.rcpts[2]?.text).toMatch(/^452 4\.5\.3 /);
  });

  it.each([
    ['strips DSN parameters for a receiver without DSN', ['PIPELINING'], ['MAIL FROM:<a@corp.example>', 'RCPT TO:<b@example.org>']],
    [
      'passes DSN parameters, xtext-encoded, to a receiver with DSN',
      ['PIPELINING', 'DSN'],
      ['MAIL FROM:<a@corp.example> RET=HDRS ENVID=abc+2Bdef', 'RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org'],
    ],
  ])('%s', async (_name, extensions, expected) => {
    const seen: string[] = [];
    const scripted = await startScriptedMta(async (peer) => {
      await peer.greet(extensions);
      seen.push(await peer.expect('MAIL'));
      seen.push(await peer.expect('RCPT'));
      peer.send('250 ok\r\n250 ok\r\n');
      await peer.expect('RSET');
      peer.send('250 ok\r\n');
    });
    cleanups.push(() => scripted.close());
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: scripted.port }] }) });
    const c = await greeted(gw);
    await c.command('EHLO corp.example');
    expect((await c.command('MAIL FROM:<a@corp.example> RET=HDRS ENVID=abc+2Bdef')).code).toBe(250);
    expect((await c.command('RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org')).code).toBe(250);
    expect(seen).toEqual(expected);
    await c.command('RSET');
  });
});

describe('early DATA on the receiving leg', () => {
  it('a blocked message leaves the receiving MTA inside DATA: the leg is closed without the final dot, nothing is delivered, the next message goes on a new connection', async () => {
    const mx = await mta();
    const policies = {
      dlp: { version: 1, policies: [{ name: 'no-secrets', severity: 'high', match: { keywords: { words: ['topsecret'] } }, action: { type: 'block' } }] },
    } as unknown as Parameters<typeof startGateway>[0]['policies'];
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }), policies });
    const c = await greeted(gw);
    const blocked = await rawTransaction(c, { ehlo: 'corp.example', from: 'a@corp.example', to: ['b@example.org'], body: testMessage({ body: 'the topsecret plan\r\n' }) });
    expect(blocked.final?.code).toBe(550);
    const ok = await rawTransaction(c, { from: 'a@corp.example', to: ['b@example.org'], body: testMessage({ body: 'lunch?\r\n' }) });
    expect(ok.final?.code).toBe(250);
    await mx.waitForMessages(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(mx.messages.map((m) => m.raw.toString('latin1').includes('lunch?'))).toEqual([true]);
    expect(mx.connections()).toBe(2);
  });

  it('a redirect after early DATA reopens the same receiver: only the redirect recipient gets the message, once', async () => {
    const mx = await mta();
    const policies = {
      dlp: { version: 1, policies: [{ name: 'quarantine', severity: 'medium', match: { keywords: { words: ['falcon'] } }, action: { type: 'redirect', to: ['quarantine@example.org'] } }] },
    } as unknown as Parameters<typeof startGateway>[0]['policies'];
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }), policies });
    const c = await greeted(gw);
    const t = await rawTransaction(c, { ehlo: 'corp.example', from: 'a@corp.example', to: ['b@example.org', 'c@example.org'], body: testMessage({ body: 'project falcon\r\n' }) });
    expect(t.final?.code).toBe(250);
    await mx.waitForMessages(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(mx.messages.map((m) => m.to)).toEqual([['quarantine@example.org']]);
    expect(mx.connections()).toBe(2);
  });
});

describe('large messages', () => {
  it('spools to disk, inspects from the file, relays byte-exact and leaves no spool file behind', async () => {
    const { createHash } = await import('node:crypto');
    const { readdirSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const mx = await mta();
    const policies = {
      dlp: { version: 1, policies: [{ name: 'no-secrets', severity: 'high', match: { keywords: { words: ['topsecret'], in: ['body'] } }, action: { type: 'block' } }] },
    } as unknown as Parameters<typeof startGateway>[0]['policies'];
    const gw = await gateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }], gateway: { spool: { dir: join(env.dir, 'spool'), memoryThresholdBytes: 65_536 } } }), policies });
    const line = 'The quick brown fox jumps over the lazy dog 0123456789\r\n';
    const body = line.repeat(60_000);
    const c = await greeted(gw);
    const ok = await rawTransaction(c, { ehlo: 'corp.example', from: 'a@corp.example', to: ['b@example.org'], body: testMessage({ body }) });
    expect(ok.final?.code).toBe(250);
    const raw = mx.messages[0]?.raw.toString('latin1') ?? '';
    const sha = (s: string): string => createHash('sha256').update(s, 'latin1').digest('hex');
    expect(sha(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toBe(sha(`${body}\r\n`));
    const blocked = await rawTransaction(c, { from: 'a@corp.example', to: ['b@example.org'], body: testMessage({ body: `${body}topsecret\r\n` }) });
    expect(blocked.final?.code).toBe(550);
    expect(mx.messages).toHaveLength(1);
    const spoolDir = join(gw.dir, 'spool');
    // The directory exists only because the message spilled to disk; it must be empty again.
    expect(existsSync(spoolDir)).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});

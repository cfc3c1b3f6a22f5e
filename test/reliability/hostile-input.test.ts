// Hostile input on the upstream leg: STARTTLS command injection, over-long command and header lines,
// NUL and 8-bit bytes in commands, a thousand pipelined RCPTs, invalid addresses, garbage instead of a
// TLS handshake, relaying from unknown clients and to unrouted domains. Nothing is executed that
// should not be, nothing is relayed that should not be, and the gateway keeps serving.
import { describe, expect, it } from 'vitest';
import { newTestId, testIdOf, testMessage } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { expectNoSessions } from './leaks.js';
import { RECIPIENT, SENDER, startReliabilityGateway, useLeakCheckedStacks } from './setup.js';
import { parseClientStream, startWireTap } from './wire-tap.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { RecordingMta } from '../helpers/recording-mta.js';

const { cleanup, stack } = useLeakCheckedStacks();

async function session(gw: GatewayHarness, localAddress?: string): Promise<RawSmtp> {
  const { client, banner } = await RawSmtp.open(gw.port, localAddress === undefined ? {} : { localAddress });
  cleanup.add(() => client.destroy());
  expect(banner.code).toBe(220);
  await client.ehlo();
  return client;
}

/** A clean message through a fresh session: the gateway still works after whatever the test did. */
async function stillDelivers(gw: GatewayHarness, mx: RecordingMta): Promise<void> {
  const before = mx.messages.length;
  const id = newTestId('after');
  const c = await session(gw);
  const got = await c.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`, 'DATA']);
  expect(got.map((r) => r.code)).toEqual([250, 250, 354]);
  c.write(Buffer.concat([testMessage(id), Buffer.from('.\r\n')]));
  expect((await c.reply()).code).toBe(250);
  await c.quit();
  await mx.waitForMessages(before + 1);
  expect(testIdOf(mx.messages[before]?.raw ?? Buffer.alloc(0))).toBe(id);
}

describe('STARTTLS command injection (inbound)', () => {
  it('a command pipelined after STARTTLS in the same write is not executed inside TLS', async () => {
    const { mx, gw } = await stack();
    const c = await session(gw);
    c.write(`STARTTLS\r\nMAIL FROM:<injected@corp.example>\r\nRCPT TO:<${RECIPIENT}>\r\n`);
    const ready = await c.reply();
    expect(ready.code).toBe(220);
    await c.startTls({}, true);
    // Nothing may answer the injected commands, neither before nor after the handshake.
    expect(await c.drainFor(200)).toBe('');
    const { reply } = await c.ehlo();
    expect(reply.code).toBe(250);
    // Had the injected MAIL run, this would be 503 (nested MAIL).
    const mail = await c.command(`MAIL FROM:<${SENDER}>`);
    expect(mail.code).toBe(250);
    await c.quit();
    await expectNoSessions(gw);
    expect(gw.observer.transactions.map((t) => t.sender)).not.toContain('injected@corp.example');
    expect(mx.messages).toHaveLength(0);
  });

  it('garbage instead of a TLS ClientHello after STARTTLS: connection closed, session released, gateway keeps serving', async () => {
    const { mx, gw } = await stack();
    const c = await session(gw);
    expect((await c.command('STARTTLS')).code).toBe(220);
    c.write('GET / HTTP/1.1\r\nHost: gw.example.test\r\n\r\n\x00\x01\x02\xff\xfe');
    expect(await c.waitClosed(5_000)).toBe(true);
    await expectNoSessions(gw);
    await stillDelivers(gw, mx);
  });
});

describe('over-long lines', () => {
  it('a command line beyond maxCommandLineBytes is refused and never relayed', async () => {
    const { mx, gw } = await stack({ gateway: { limits: { maxCommandLineBytes: 512 } } });
    const c = await session(gw);
    const long = `MAIL FROM:<${'a'.repeat(600)}@corp.example>`;
    c.write(`${long}\r\n`);
    const r = await c.reply().catch(() => null);
    // A 5xx for the line, or 421 and the connection closed (smtp-server's choice); never 250.
    if (r !== null) expect(r.code === 421 || r.code >= 500).toBe(true);
    if (r?.code === 421) expect(await c.waitClosed(2_000)).toBe(true);
    expect(gw.observer.transactions.filter((t) => t.sender.length > 500)).toEqual([]);
    await stillDelivers(gw, mx);
  });

  it('a 512-byte command line (the RFC minimum) is accepted when the limit is 512', async () => {
    const { gw } = await stack({ gateway: { limits: { maxCommandLineBytes: 512 } } });
    const c = await session(gw);
    const line = `NOOP ${'a'.repeat(510 - 5)}`;
    expect(line.length + 2).toBe(512);
    expect((await c.command(line)).code).toBe(250);
    expect((await c.command(`MAIL FROM:<${SENDER}>`)).code).toBe(250);
    await c.quit();
  });

  it('a 200,000-byte header line and a 1 MB body line are relayed intact or refused, never split or truncated', async () => {
    const { mx, gw } = await stack();
    const id = newTestId('long');
    const c = await session(gw);
    expect((await c.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`, 'DATA'])).map((r) => r.code)).toEqual([250, 250, 354]);
    const subject = `Subject: ${'s'.repeat(200_000)}`;
    const bodyLine = 'b'.repeat(1_000_000);
    c.write(`X-Test-Id: ${id}\r\n${subject}\r\n\r\n${bodyLine}\r\n.\r\n`);
    const r = await c.reply(20_000);
    await c.quit();
    if (r.code !== 250) {
      expect(r.code).toBeGreaterThanOrEqual(400);
      expect(mx.messages.filter((m) => testIdOf(m.raw) === id)).toEqual([]);
      return;
    }
    await mx.waitForMessages(1);
    const raw = mx.messages[0]?.raw.toString('latin1') ?? '';
    expect(raw).toContain(`\r\n${subject}\r\n\r\n${bodyLine}\r\n`);
  });
});

describe('NUL and 8-bit bytes in commands', () => {
  const refused: readonly (readonly [string, string])[] = [
    ['NUL in MAIL FROM', `MAIL FROM:<al\x00ice@corp.example>`],
    ['NUL after MAIL FROM', `MAIL FROM:<${SENDER}>\x00 SIZE=10`],
    ['DEL and ESC in MAIL FROM', `MAIL FROM:<a\x7f\x1b@corp.example>`],
  ];
  for (const [name, line] of refused) {
    it(`${name}: 501, nothing opened towards the receiving MTA, the session survives`, async () => {
      const { mx, gw } = await stack();
      const c = await session(gw);
      const mail = await c.command(line);
      expect(mail.code).toBe(501);
      expect((await c.command(`RCPT TO:<${RECIPIENT}>`)).code).toBe(503);
      expect((await c.command('RSET')).code).toBe(250);
      await c.quit();
      await expectNoSessions(gw);
      expect(mx.connections()).toBe(0);
      await stillDelivers(gw, mx);
    });
  }

  it('NUL in RCPT TO is refused with a 5xx, not relayed', async () => {
    const { mx, gw } = await stack();
    const c = await session(gw);
    expect((await c.command(`MAIL FROM:<${SENDER}>`)).code).toBe(250);
    const rcpt = await c.command(`RCPT TO:<b\x00ob@example.org>`);
    expect(rcpt.code).toBeGreaterThanOrEqual(500);
    await c.quit();
    expect(mx.messages).toHaveLength(0);
  });

  it('8-bit byte that is not UTF-8 in MAIL FROM (no SMTPUTF8): refused with 5xx, or relayed byte-exact, never re-encoded', async () => {
    const mx = await startRecordingMta();
    cleanup.add(() => mx.close());
    const tap = await startWireTap(mx.port);
    cleanup.add(() => tap.close());
    const gw = await startReliabilityGateway({ receiverPort: tap.port });
    cleanup.add(() => gw.close());
    const c = await session(gw);
    const got = await c.pipeline([`MAIL FROM:<j\xf6rg@corp.example>`, `RCPT TO:<${RECIPIENT}>`]);
    if (got[0]?.code !== 250) {
      expect(got[0]?.code).toBeGreaterThanOrEqual(500);
    } else {
      expect((await c.command('DATA')).code).toBe(354);
      c.write(Buffer.concat([testMessage(newTestId('8bit')), Buffer.from('.\r\n')]));
      await c.reply();
    }
    await c.quit();
    const mails = parseClientStream(tap.all()).commands.filter((l) => l.startsWith('MAIL FROM:'));
    // Latin1 view of the wire: the original byte is \xf6; U+FFFD would show as "\xef\xbf\xbd".
    for (const m of mails) expect(m).toBe('MAIL FROM:<j\xf6rg@corp.example>');
  });
});

describe('recipients', () => {
  it('1,000 RCPT pipelined in one write: every one answered in order, those beyond maxRecipients get 452', async () => {
    const { mx, gw } = await stack({ gateway: { maxRecipients: 100 } });
    const c = await session(gw);
    const rcpts = Array.from({ length: 1000 }, (_, i) => `RCPT TO:<user${i}@example.org>`);
    const got = await c.pipeline([`MAIL FROM:<${SENDER}>`, ...rcpts]);
    expect(got).toHaveLength(1001);
    expect(got[0]?.code).toBe(250);
    const codes = got.slice(1).map((r) => r.code);
    expect(codes.slice(0, 100).every((code) => code === 250)).toBe(true);
    expect(codes.slice(100).every((code) => code === 452)).toBe(true);
    const id = newTestId('many');
    expect((await c.command('DATA')).code).toBe(354);
    c.write(Buffer.concat([testMessage(id), Buffer.from('.\r\n')]));
    expect((await c.reply()).code).toBe(250);
    await c.quit();
    await mx.waitForMessages(1);
    expect(mx.messages[0]?.to).toHaveLength(100);
  });

  const invalid: readonly (readonly [string, string, string])[] = [
    ['no angle brackets and spaces', 'MAIL FROM:', 'not an address'],
    ['double @', 'RCPT TO:', '<a@b@example.org>'],
    ['only @@', 'RCPT TO:', '<@@>'],
    ['unbalanced bracket', 'RCPT TO:', '<bob@example.org'],
    ['empty recipient', 'RCPT TO:', '<>'],
    ['CR inside the address', 'RCPT TO:', '<bob\r@example.org>'],
  ];
  for (const [name, verb, arg] of invalid) {
    it(`invalid address (${name}) is refused with 5xx and nothing is relayed`, async () => {
      const { mx, gw } = await stack();
      const c = await session(gw);
      if (verb === 'RCPT TO:') expect((await c.command(`MAIL FROM:<${SENDER}>`)).code).toBe(250);
      const r = await c.command(`${verb}${arg}`);
      expect(r.code).toBeGreaterThanOrEqual(500);
      await c.quit();
      expect(mx.messages).toHaveLength(0);
    });
  }
});

describe('relay access', () => {
  it('a client outside every upstream block (127.0.0.2) gets 554 at connect and the connection closes', async () => {
    const { mx, gw } = await stack();
    const { client, banner } = await RawSmtp.open(gw.port, { localAddress: '127.0.0.2' });
    cleanup.add(() => client.destroy());
    expect(banner.code).toBe(554);
    expect(banner.text).toMatch(/5\.7\.1/);
    expect(await client.waitClosed(6_000)).toBe(true);
    expect(gw.observer.refused).toContainEqual({ remoteAddress: '127.0.0.2', reason: 'unknown-client' });
    expect(gw.engine.activeSessions).toBe(0);
    expect(mx.connections()).toBe(0);
  });

  it('a recipient domain without a route gets 550 5.7.1 and no receiving leg is opened', async () => {
    const { mx, gw } = await stack({ routes: [{ domains: ['example.org'], receivers: ['mx-1'] }] });
    const c = await session(gw);
    expect((await c.command(`MAIL FROM:<${SENDER}>`)).code).toBe(250);
    const r = await c.command('RCPT TO:<victim@elsewhere.example.test>');
    expect(r.code).toBe(550);
    expect(r.text).toMatch(/5\.7\.1/);
    expect((await c.command('DATA')).code).toBeGreaterThanOrEqual(500);
    await c.quit();
    expect(mx.connections()).toBe(0);
    expect(mx.messages).toHaveLength(0);
  });

  it('a routed and an unrouted recipient in one transaction: only the routed one is relayed', async () => {
    const { mx, gw } = await stack({ routes: [{ domains: ['example.org'], receivers: ['mx-1'] }] });
    const c = await session(gw);
    const got = await c.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`, 'RCPT TO:<victim@elsewhere.example.test>', 'DATA']);
    expect(got.map((r) => r.code)).toEqual([250, 250, 550, 354]);
    c.write(Buffer.concat([testMessage(newTestId('mixed')), Buffer.from('.\r\n')]));
    expect((await c.reply()).code).toBe(250);
    await c.quit();
    await mx.waitForMessages(1);
    expect(mx.messages[0]?.to).toEqual([RECIPIENT]);
  });
});

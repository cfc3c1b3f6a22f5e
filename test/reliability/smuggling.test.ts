// SMTP smuggling through the gateway: a message that hides a fake end-of-data (bare LF / bare CR
// variants) followed by a pipelined second transaction must reach the receiving MTA as ONE message,
// with CRLF line endings only on the wire, so not even a lenient receiver could split it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountFor, newTestId, testIdOf } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { Cleanup, expectNoSessions } from './leaks.js';
import { RECIPIENT, SENDER, startReliabilityGateway } from './setup.js';
import { bareLineBreaks, parseClientStream, startWireTap } from './wire-tap.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { RecordingMta } from '../helpers/recording-mta.js';
import type { WireTap } from './wire-tap.js';

/** Fake terminators a lenient receiver might take for the end of DATA. */
const FAKE_ENDS: readonly (readonly [string, string])[] = [
  ['LF . LF', '\n.\n'],
  ['CR . CR', '\r.\r'],
  ['CRLF . LF', '\r\n.\n'],
  ['LF . CRLF', '\n.\r\n'],
  ['CRLF . CR', '\r\n.\r'],
  ['CR . LF', '\r.\n'],
  ['LF . CR', '\n.\r'],
  ['CR . CRLF', '\r.\r\n'],
  ['CR CRLF . CR CRLF', '\r\r\n.\r\r\n'],
  ['CRLF . CR CRLF', '\r\n.\r\r\n'],
  ['LF .. LF', '\n..\n'],
  ['CRLF NUL . CRLF', '\r\n\x00.\r\n'],
];

const cleanup = new Cleanup();
let mx: RecordingMta;
let tap: WireTap;
let gw: GatewayHarness;

beforeAll(async () => {
  mx = await startRecordingMta();
  cleanup.add(() => mx.close());
  tap = await startWireTap(mx.port);
  cleanup.add(() => tap.close());
  gw = await startReliabilityGateway({ receiverPort: tap.port });
  cleanup.add(() => gw.close());
});
afterAll(() => cleanup.run());

function smuggled(id: string, fakeEnd: string): string {
  const head = `From: <${SENDER}>\r\nTo: <${RECIPIENT}>\r\nSubject: smuggling\r\nX-Test-Id: ${id}\r\n\r\n`;
  const evil = `MAIL FROM:<evil@x.example.test>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nX-Test-Id: smuggled-${id}\r\nSubject: smuggled\r\n\r\nsmuggled body\r\n`;
  return `${head}legit body ${id}${fakeEnd}${evil}\r\n.\r\n`;
}

describe('SMTP smuggling on the upstream leg', () => {
  for (const [name, fakeEnd] of FAKE_ENDS) {
    it(`${name} then a pipelined MAIL/RCPT/DATA in the same write: one message downstream, CRLF only on the wire`, async () => {
      const before = { messages: mx.messages.length, wire: tap.all().length };
      const id = newTestId('smuggle');
      const { client, banner } = await RawSmtp.open(gw.port);
      expect(banner.code).toBe(220);
      await client.ehlo();
      // Everything in one write, as an attacker would: envelope, DATA, body with the fake end, second transaction.
      client.write(`MAIL FROM:<${SENDER}>\r\nRCPT TO:<${RECIPIENT}>\r\nDATA\r\n${smuggled(id, fakeEnd)}`);
      const got = await client.replies(4);
      expect(got.map((r) => r.code)).toEqual([250, 250, 354, 250]);
      // No reply for a second transaction: the gateway saw exactly one.
      expect(await client.drainFor(200)).toBe('');
      expect((await client.command('QUIT')).code).toBe(221);
      client.destroy();
      await mx.waitForMessages(before.messages + 1);
      await expectNoSessions(gw);
      const fresh = mx.messages.slice(before.messages);
      expect(fresh.map((m) => m.from)).toEqual([SENDER]);
      expect(fresh.map((m) => testIdOf(m.raw))).toEqual([id]);
      const raw = fresh[0]?.raw ?? Buffer.alloc(0);
      expect(bareLineBreaks(raw)).toEqual([]);
      // The would-be commands arrived as message content.
      expect(raw.toString('latin1')).toContain('\r\nMAIL FROM:<evil@x.example.test>\r\n');
      const wire = tap.all().subarray(before.wire);
      expect(bareLineBreaks(wire)).toEqual([]);
      const parsed = parseClientStream(wire);
      expect(parsed.commands.filter((c) => /^MAIL FROM:/i.test(c))).toEqual([`MAIL FROM:<${SENDER}>`]);
      expect(parsed.bodies).toHaveLength(1);
      expect(accountFor([{ id, outcome: 'accepted', step: 'end-of-data', detail: '250' }], fresh).unknown).toEqual([]);
    });
  }

  it('a message of nothing but fake terminators arrives as one message with CRLF only', async () => {
    const before = mx.messages.length;
    const id = newTestId('smuggle');
    const { client } = await RawSmtp.open(gw.port);
    await client.ehlo();
    const junk = FAKE_ENDS.map(([, e]) => e).join('');
    client.write(`MAIL FROM:<${SENDER}>\r\nRCPT TO:<${RECIPIENT}>\r\nDATA\r\nX-Test-Id: ${id}\r\n\r\n${junk}${junk}\r\n.\r\n`);
    expect((await client.replies(4)).map((r) => r.code)).toEqual([250, 250, 354, 250]);
    await client.quit();
    await mx.waitForMessages(before + 1);
    const raw = mx.messages[before]?.raw ?? Buffer.alloc(0);
    expect(testIdOf(raw)).toBe(id);
    expect(bareLineBreaks(raw)).toEqual([]);
  });
});

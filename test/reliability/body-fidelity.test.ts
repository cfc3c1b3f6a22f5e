// Property: any message body — dots at line starts, lone CR and LF, long lines, 8-bit and NUL bytes —
// sent through the gateway reaches the receiving MTA byte for byte as intended: the sender's content with
// line endings normalised to CRLF, after the gateway's own trace headers. Nothing added, lost or split.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newTestId } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { longTests } from '../helpers/tools.js';
import { RECIPIENT, SENDER, useGatewayWithMta } from './setup.js';
import { bareLineBreaks } from './wire-tap.js';

const RUNS = longTests ? 300 : 30;

const peers = useGatewayWithMta();

/** Our own reference: every CRLF, lone CR and lone LF becomes CRLF (independent of the engine's code). */
function normalise(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}

/** Sender-side dot-stuffing the way smtp-server undoes it: a dot at the start or after any LF is doubled. */
function stuffForSending(content: Buffer): Buffer {
  return Buffer.from(content.toString('latin1').replace(/(^|\n)\./g, '$1..'), 'latin1');
}

const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('.', '..', '\r', '\n', '\r\n', '\r\r\n', '\n.\n', '\r.\r', '\r\n.\r\n', '.\r\n', ' ', '\t', 'From ', '--') },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 20 }).map((b) => Buffer.from(b).toString('latin1')) },
  { weight: 1, arbitrary: fc.integer({ min: 990, max: 5_000 }).map((n) => 'L'.repeat(n)) },
);

const bodyArb = fc.array(piece, { maxLength: 80 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));

/** Trace headers the gateway prepends: Received (folded) and the loop header. */
const TRACE_PREFIX = /^(?:Received: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*|X-Relayguard-Loop: [^\r\n]*\r\n)*$/;

async function sendThrough(id: string, body: Buffer): Promise<{ code: number; intended: Buffer }> {
  const head = Buffer.from(`X-Test-Id: ${id}\r\nSubject: property\r\n\r\n`, 'latin1');
  const tail = body.subarray(-2).toString('latin1') === '\r\n' ? Buffer.alloc(0) : Buffer.from('\r\n');
  const content = Buffer.concat([head, body, tail]);
  const { client } = await RawSmtp.open(peers.gw.port);
  try {
    await client.ehlo();
    const got = await client.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`, 'DATA']);
    expect(got.map((r) => r.code)).toEqual([250, 250, 354]);
    client.write(Buffer.concat([stuffForSending(content), Buffer.from('.\r\n')]));
    const final = await client.reply();
    await client.quit();
    return { code: final.code, intended: normalise(content) };
  } finally {
    client.destroy();
  }
}

describe('body fidelity (property)', () => {
  it(`random bodies arrive byte for byte as intended (CRLF-normalised, trace headers stripped), ${RUNS} runs`, async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        const id = newTestId('prop');
        const before = peers.mx.messages.length;
        const { code, intended } = await sendThrough(id, body);
        expect(code).toBe(250);
        await peers.mx.waitForMessages(before + 1);
        const raw = peers.mx.messages[before]?.raw ?? Buffer.alloc(0);
        expect(bareLineBreaks(raw)).toEqual([]);
        const at = raw.indexOf(`X-Test-Id: ${id}\r\n`);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(raw.subarray(0, at).toString('latin1')).toMatch(TRACE_PREFIX);
        const got = raw.subarray(at);
        if (!got.equals(intended)) {
          expect(JSON.stringify(got.toString('latin1'))).toBe(JSON.stringify(intended.toString('latin1')));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('the reference normaliser itself: lone CR and LF become CRLF, CRLF stays', () => {
    expect(normalise(Buffer.from('a\rb\nc\r\nd\r\r\ne\n\r')).toString('latin1')).toBe('a\r\nb\r\nc\r\nd\r\n\r\ne\r\n\r\n');
  });
});

// "Nothing let through": hostile framing must not hide content from inspection. A block policy on a
// keyword sees it after a fake end-of-data, across bare-CR/LF line endings, behind a 300 KB header
// block, in a folded Subject, and at the end of a message bigger than the memory threshold (spooled).
import { describe, expect, it } from 'vitest';
import { newTestId } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { expectNoSessions } from './leaks.js';
import { RECIPIENT, SENDER, useGatewayWithMta } from './setup.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

const SECRET = 'falcon-secret-7731';
const BLOCK = '550 5.7.1 blocked by the reliability suite';

const policy = {
  version: 1,
  policies: [
    {
      name: 'block-falcon',
      severity: 'high',
      mode: 'enforce',
      match: { keywords: { words: [SECRET], in: ['subject', 'body', 'attachments', 'headers'], min: 1 } },
      action: { type: 'block', reply: BLOCK },
    },
  ],
} as PolicyFile;

const peers = useGatewayWithMta({ policies: { falcon: policy }, gateway: { spool: { memoryThresholdBytes: 64 * 1024 } } });

/** Sends `content` (already dot-stuffed where needed) as one message; the reply to the final dot. */
async function send(content: string): Promise<number> {
  const { client } = await RawSmtp.open(peers.gw.port);
  try {
    await client.ehlo();
    client.write(`MAIL FROM:<${SENDER}>\r\nRCPT TO:<${RECIPIENT}>\r\nDATA\r\n${content}\r\n.\r\n`);
    const got = await client.replies(4);
    await client.quit();
    return got[3]?.code ?? 0;
  } finally {
    client.destroy();
  }
}

const head = (id: string, extra = ''): string => `From: <${SENDER}>\r\nTo: <${RECIPIENT}>\r\nSubject: report\r\nX-Test-Id: ${id}\r\n${extra}\r\n`;

const CASES: readonly (readonly [string, (id: string) => string])[] = [
  ['after a fake end-of-data (LF . LF) and a smuggled MAIL', (id) => `${head(id)}harmless\n.\nMAIL FROM:<evil@x.example.test>\r\nDATA\r\n${SECRET}`],
  ['after a fake end-of-data (CR . CR)', (id) => `${head(id)}harmless\r.\r${SECRET}`],
  ['on a line ended by bare CR, between bare-LF lines', (id) => `${head(id)}one\ntwo\r${SECRET}\rthree\n`],
  ['behind a 300 KB header block', (id) => `${head(id, `X-Padding: ${'p'.repeat(100)}\r\n`.repeat(3_000))}${SECRET}`],
  ['in a header after 300 KB of other headers', (id) => `${head(id, `${`X-Padding: ${'p'.repeat(100)}\r\n`.repeat(3_000)}X-Leak: ${SECRET}\r\n`)}body`],
  ['in a folded Subject header', (id) => `From: <${SENDER}>\r\nSubject: quarterly\r\n ${SECRET}\r\nX-Test-Id: ${id}\r\n\r\nbody`],
  ['at the end of a 2 MB message (spooled to disk)', (id) => `${head(id)}${`${'x'.repeat(998)}\r\n`.repeat(2_000)}${SECRET}`],
  ['on a line that starts with a dot (dot-stuffed by the sender)', (id) => `${head(id)}..${SECRET}`],
];

describe('policy bypass through framing', () => {
  for (const [name, build] of CASES) {
    it(`a blocked keyword ${name} is still found: 550, nothing delivered`, async () => {
      const before = peers.mx.messages.length;
      const code = await send(build(newTestId('bypass')));
      expect(code).toBe(550);
      await expectNoSessions(peers.gw);
      expect(peers.mx.messages.length).toBe(before);
    });
  }

  it('control: the same framing without the keyword is delivered', async () => {
    const before = peers.mx.messages.length;
    const code = await send(`${head(newTestId('control'))}harmless\n.\nMAIL FROM:<evil@x.example.test>\r\nDATA\r\nnothing secret`);
    expect(code).toBe(250);
    await peers.mx.waitForMessages(before + 1);
  });
});

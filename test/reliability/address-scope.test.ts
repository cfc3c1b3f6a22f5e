// A policy scoped to a domain ("mail to our partner") must not be walked around by spelling the address
// another way that the next MTA still delivers to the same mailbox: a trailing dot on the domain (an
// absolute DNS name; Postfix strips it), upper case, a Unicode domain where the policy names its
// punycode form and the other way round. Each is sent over SMTP through a gateway whose card policy
// only covers *@partner.example (and *@bücher.example); each must be refused with nothing delivered.
import { describe, expect, it } from 'vitest';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { newTestId } from '../helpers/accounting.js';
import { SENDER, useGatewayWithMta } from './setup.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

const CARD = '4111 1111 1111 1111';
const policy = {
  version: 1,
  policies: [
    {
      name: 'cards-to-partners',
      severity: 'high',
      mode: 'enforce',
      scope: { recipients: ['*@partner.example', '*@bücher.example', '*@xn--mnchen-3ya.example'] },
      match: { creditCardNumber: { min: 1 } },
      action: { type: 'block', reply: '550 5.7.1 card to a partner' },
    },
  ],
} as PolicyFile;

const peers = useGatewayWithMta({ policies: { partners: policy } });

async function send(recipient: string, smtputf8 = false): Promise<readonly number[]> {
  const { client } = await RawSmtp.open(peers.gw.port);
  try {
    await client.ehlo();
    const id = newTestId('scope');
    client.write(`MAIL FROM:<${SENDER}>${smtputf8 ? ' SMTPUTF8' : ''}\r\nRCPT TO:<${recipient}>\r\nDATA\r\nFrom: <${SENDER}>\r\nSubject: card\r\nX-Test-Id: ${id}\r\n\r\ncard ${CARD}\r\n.\r\n`);
    const got = await client.replies(4);
    await client.quit();
    return got.map((r) => r.code);
  } finally {
    client.destroy();
  }
}

const CASES: readonly (readonly [string, string, boolean])[] = [
  ['a trailing dot on the domain', 'bob@partner.example.', false],
  ['two trailing dots', 'bob@partner.example..', false],
  ['upper case', 'Bob@PARTNER.Example', false],
  ['the punycode of a domain the policy names in Unicode', 'anna@xn--bcher-kva.example', false],
  ['the Unicode form of a domain the policy names in punycode (SMTPUTF8)', 'anna@münchen.example', true],
  ['a Unicode domain in another case (SMTPUTF8)', 'anna@BÜCHER.example', true],
];

describe('policy scope by recipient domain cannot be walked around by spelling', () => {
  for (const [name, recipient, utf8] of CASES) {
    it(`${name} (${recipient}): 550, nothing delivered`, async () => {
      const before = peers.mx.messages.length;
      const codes = await send(recipient, utf8);
      // the RCPT itself may be refused as malformed; if it was accepted, the message must be blocked
      if (codes[1] === 250) expect(codes[3]).toBe(550);
      else expect(codes[1]).toBeGreaterThanOrEqual(500);
      expect(peers.mx.messages.length).toBe(before);
    });
  }

  it('control: a recipient outside the scope gets the same message delivered', async () => {
    const before = peers.mx.messages.length;
    const codes = await send('bob@example.org');
    expect(codes[3]).toBe(250);
    await peers.mx.waitForMessages(before + 1);
  });
});

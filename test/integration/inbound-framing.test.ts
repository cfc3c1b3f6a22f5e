// Hostile framing on the inbound leg: bare CR/LF "terminators" followed by pipelined commands must stay
// content of one message, delivered once, with CRLF-only line endings.
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, startGateway } from '../helpers/gateway-harness.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { RecordingMta } from '../helpers/recording-mta.js';

let mx: RecordingMta;
let gw: GatewayHarness;
const clients: RawSmtpClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
  await mx?.close();
});

async function setup(): Promise<RawSmtpClient> {
  mx = await startRecordingMta();
  gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
  const c = await RawSmtpClient.connect(gw.port);
  clients.push(c);
  expect((await c.reply()).code).toBe(220);
  expect((await c.command('EHLO corp.example')).code).toBe(250);
  return c;
}

describe('inbound framing', () => {
  it.each([['\n.\n'], ['\r.\r'], ['\r\n.\n'], ['\n.\r\n'], ['\r.\r\n'], ['\n.\r']])(
    'keeps %j followed by a pipelined MAIL FROM inside one message',
    async (fake) => {
      const c = await setup();
      expect((await c.command('MAIL FROM:<alice@corp.example>')).code).toBe(250);
      expect((await c.command('RCPT TO:<bob@example.org>')).code).toBe(250);
      expect((await c.command('DATA')).code).toBe(354);
      const smuggled = 'MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nowned\r\n';
      c.write(`Subject: framing\r\n\r\nbefore${fake}${smuggled}.\r\n`);
      const final = await c.reply();
      expect(final.code).toBe(250);
      expect((await c.command('QUIT')).code).toBe(221);
      await c.closed();
      expect(mx.messages).toHaveLength(1);
      const msg = mx.messages[0];
      expect(msg?.from).toBe('alice@corp.example');
      expect(msg?.to).toEqual(['bob@example.org']);
      const raw = msg?.raw.toString('latin1') ?? '';
      expect(raw).toContain('MAIL FROM:<evil@attacker.test>\r\n');
      expect(raw).toContain('\r\n.\r\n');
      expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(gw.observer.transactions).toHaveLength(1);
    },
  );

  it('keeps a dot-stuffed line a single dot and delivers it once', async () => {
    const c = await setup();
    expect((await c.command('MAIL FROM:<alice@corp.example>')).code).toBe(250);
    expect((await c.command('RCPT TO:<bob@example.org>')).code).toBe(250);
    expect((await c.command('DATA')).code).toBe(354);
    c.write('Subject: dots\r\n\r\n..\r\n...x\r\n.\r\n');
    expect((await c.reply()).code).toBe(250);
    expect(mx.messages[0]?.raw.toString('latin1')).toMatch(/\r\n\r\n\.\r\n\.\.x\r\n$/);
  });
});

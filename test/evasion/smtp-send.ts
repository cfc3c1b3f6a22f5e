// One message through a gateway over SMTP, as the evasion suites send their variants: the message's own
// header and body after DATA (dot-stuffed), tagged with a test id for the accounting; the reply code to
// the end of data.
import { newTestId } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { RECIPIENT, SENDER } from '../reliability/setup.js';

export async function sendMessage(port: number, message: Buffer, tag: string): Promise<number> {
  const { client } = await RawSmtp.open(port);
  try {
    await client.ehlo();
    const body = message.toString('latin1').replace(/\r\n\./g, '\r\n..');
    client.write(`MAIL FROM:<${SENDER}>\r\nRCPT TO:<${RECIPIENT}>\r\nDATA\r\n`);
    await client.replies(3);
    client.write(`X-Test-Id: ${newTestId(tag)}\r\n${body}${body.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
    const reply = await client.reply();
    await client.quit();
    return reply.code;
  } finally {
    client.destroy();
  }
}

// Crash and restart of the real CLI process: SIGKILL in the middle of DATA leaves the sender without a
// 250 (it keeps the message), nothing reaches the receiving MTA in part or at all, and after a restart
// on the same config the next message is delivered exactly once.
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecordingSender, assertAccounting, newTestId, testMessage } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { cleanupAfterEach, CLI, cliConfig, requireCli, startCliGateway } from './cli-gateway.js';
import { RECIPIENT, SENDER } from './setup.js';
import type { SentMessage } from '../helpers/accounting.js';

const cleanup = cleanupAfterEach();
const missing = requireCli('crash/restart');

describe.skipIf(missing !== undefined)(`gateway process killed and restarted (${CLI})`, () => {
  it('SIGKILL mid-DATA: the sender sees the connection drop (no 250), nothing delivered; after restart the retry is delivered once', async () => {
    const mx = await startRecordingMta();
    cleanup.add(() => mx.close());
    const config = await cliConfig(mx.port);
    cleanup.add(() => rmSync(config.root, { recursive: true, force: true }));
    const first = await startCliGateway(config);

    const id = newTestId('crash');
    const message = testMessage(id, { padTo: 200_000 });
    const { client } = await RawSmtp.open(config.port);
    cleanup.add(() => client.destroy());
    await client.ehlo();
    expect((await client.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`, 'DATA'])).map((r) => r.code)).toEqual([250, 250, 354]);
    // Half of the message, then the process dies without a chance to answer or clean up.
    client.write(message.subarray(0, message.length / 2));
    await new Promise((r) => setTimeout(r, 100));
    const exit = await first.proc.stop('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    expect(await client.waitClosed(5_000)).toBe(true);
    expect(client.transcript).not.toMatch(/\r\n250 [^\r]*queued/);
    const attempt: SentMessage = { id, outcome: 'no-reply', step: 'data', detail: 'connection closed mid-DATA (gateway killed)' };

    // Restart on the same directory and port; the upstream retries the same message.
    const second = await startCliGateway(config);
    expect(second.proc.pid).not.toBe(first.proc.pid);
    const sender = new RecordingSender({ port: config.port });
    const retry = await sender.send({ from: SENDER, to: [RECIPIENT] }, message, id);
    await sender.close();
    expect(retry.outcome).toBe('accepted');
    await mx.waitForMessages(1);
    // The retry carries the first attempt's id, so "delivered once" covers both tries.
    expect(attempt.outcome).toBe('no-reply');
    const report = assertAccounting([retry], mx.messages);
    expect(report.delivered).toBe(1);
    expect(mx.messages[0]?.size).toBeGreaterThan(message.length);
    await second.proc.stop('SIGTERM');
  });

  it('SIGKILL while the receiving MTA holds the transaction open: nothing delivered in part, next message after restart delivered', async () => {
    // The receiving MTA takes the envelope but the body never completes: the kill happens with the
    // receiving leg between RCPT and the end of DATA.
    const mx = await startRecordingMta();
    cleanup.add(() => mx.close());
    const config = await cliConfig(mx.port);
    cleanup.add(() => rmSync(config.root, { recursive: true, force: true }));
    const first = await startCliGateway(config);
    const { client } = await RawSmtp.open(config.port);
    cleanup.add(() => client.destroy());
    await client.ehlo();
    expect((await client.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`])).map((r) => r.code)).toEqual([250, 250]);
    expect(mx.connections()).toBeGreaterThan(0);
    await first.proc.stop('SIGKILL');
    expect(await client.waitClosed(5_000)).toBe(true);
    const second = await startCliGateway(config);
    const sender = new RecordingSender({ port: config.port });
    const next = await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(newTestId('after-crash')));
    await sender.close();
    expect(next.outcome).toBe('accepted');
    await mx.waitForMessages(1);
    assertAccounting(sender.sent, mx.messages);
    expect(mx.messages).toHaveLength(1);
    await second.proc.stop('SIGTERM');
  });
});

// Spool write failure: a message too big for memory must go to the spool directory; when that cannot be
// written the sender gets a 451 (keep the message, retry), nothing is delivered, and the gateway still
// relays messages that fit in memory.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingSender, assertAccounting, newTestId, testMessage } from '../helpers/accounting.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { Cleanup, expectNoSessions } from './leaks.js';
import { RECIPIENT, SENDER, startReliabilityGateway } from './setup.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('spool write failure', () => {
  it('spool dir below a regular file (ENOTDIR, even for root), 1 KiB memory threshold, 20 KB message: 451 and nothing delivered', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'rg-spool-'));
    cleanup.add(() => rmSync(scratch, { recursive: true, force: true }));
    const blocker = join(scratch, 'not-a-directory');
    writeFileSync(blocker, 'a file where the spool directory should be\n');
    const mx = await startRecordingMta();
    cleanup.add(() => mx.close());
    const gw = await startReliabilityGateway({
      receiverPort: mx.port,
      gateway: { spool: { dir: join(blocker, 'spool'), memoryThresholdBytes: 1024 } },
    });
    cleanup.add(() => gw.close());
    const sender = new RecordingSender({ port: gw.port, messagesPerConnection: 5 });
    cleanup.add(() => sender.close());
    const big = await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(newTestId('big'), { padTo: 20_000 }));
    expect(big.outcome).toBe('tempfail');
    expect(big.detail).toMatch(/^4\d\d /);
    // A message under the threshold never touches the spool directory.
    const small = await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(newTestId('small')));
    expect(small.outcome).toBe('accepted');
    await sender.close();
    const report = assertAccounting(sender.sent, mx.messages);
    expect(report.delivered).toBe(1);
    await expectNoSessions(gw);
    const record = gw.observer.transactions.find((t) => t.outcome !== 'delivered');
    expect(record?.reply).toMatch(/ENOTDIR|spool/i);
    // A local spool failure is the gateway's own trouble (451 4.3.0), not a lost receiving MTA (421 4.4.2).
    expect(big.detail).toMatch(/^451 4\.3\.0 /);
  });
});

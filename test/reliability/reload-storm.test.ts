// Reload storm on the real CLI process: while upstreams send continuously, the policy file is rewritten
// (new content every time, replaced atomically) and SIGHUP sent every 50 ms — 2 s by default, 10 s with
// RELAYGUARD_LONG_TESTS=1. Every accepted message is delivered exactly once and no transaction fails
// because of a reload: sessions finish on the graph they started with.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RecordingSender, assertAccounting, formatAccounting, accountFor, newTestId, testMessage } from '../helpers/accounting.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { longTests } from '../helpers/tools.js';
import { cleanupAfterEach, CLI, cliConfig, requireCli, startCliGateway } from './cli-gateway.js';
import { RECIPIENT, SENDER } from './setup.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import type { SentMessage } from '../helpers/accounting.js';

const STORM_MS = longTests ? 10_000 : 2_000;
const EVERY_MS = 50;
const SENDERS = 4;

const cleanup = cleanupAfterEach();
const missing = requireCli('reload storm');

/** A monitor-mode policy whose keyword changes every revision: a real content change, never a match. */
function policy(revision: number): PolicyFile {
  return {
    version: 1,
    policies: [
      {
        name: 'storm-watch',
        severity: 'low',
        mode: 'monitor',
        match: { keywords: { words: [`storm-never-matches-${revision}`], in: ['body'], min: 1 } },
        action: { type: 'block', reply: '550 5.7.1 storm' },
      },
    ],
  } as PolicyFile;
}

/** Write + rename, the way git and editors replace files: the gateway never reads half a file. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function sendUntil(sender: RecordingSender, stop: () => boolean): Promise<void> {
  while (!stop()) await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(newTestId('storm'), { padTo: 2_000 }));
  await sender.close();
}

describe.skipIf(missing !== undefined)(`reload storm (${CLI})`, () => {
  it(`one reload every ${EVERY_MS} ms for ${STORM_MS} ms under load from ${SENDERS} upstream connections: every accepted message delivered exactly once, none failed`, async () => {
    const mx = await startRecordingMta();
    cleanup.add(() => mx.close());
    const config = await cliConfig(mx.port);
    cleanup.add(() => rmSync(config.root, { recursive: true, force: true }));
    const policyPath = join(config.configDir, 'storm.policy.yaml');
    writeFileSync(policyPath, stringify(policy(0)));
    const gw = await startCliGateway(config);

    let done = false;
    const senders = Array.from({ length: SENDERS }, () => new RecordingSender({ port: config.port, messagesPerConnection: 5 }));
    // One more upstream keeps a single session for the whole storm: its generation is retired under it.
    const longSession = new RecordingSender({ port: config.port, messagesPerConnection: Number.MAX_SAFE_INTEGER });
    const load = Promise.all([...senders, longSession].map((s) => sendUntil(s, () => done)));
    let revision = 0;
    const started = Date.now();
    while (Date.now() - started < STORM_MS) {
      revision += 1;
      writeAtomically(policyPath, stringify(policy(revision)));
      process.kill(gw.proc.pid, 'SIGHUP');
      await new Promise((r) => setTimeout(r, EVERY_MS));
    }
    done = true;
    await load;

    const sent: SentMessage[] = [...senders, longSession].flatMap((s) => s.sent);
    await mx.waitForMessages(sent.filter((s) => s.outcome === 'accepted').length, 15_000).catch(() => undefined);
    const report = accountFor(sent, mx.messages);
    const cut = longSession.sent.filter((s) => s.outcome !== 'accepted');
    process.stderr.write(`reload storm: ${revision} rewrites+SIGHUPs\n${formatAccounting(report, sent)}\nlong session cut: ${cut.map((c) => `${c.step}: ${c.detail}`).join('; ') || 'never'}\n`);
    assertAccounting(sent, mx.messages);
    expect(senders.flatMap((s) => s.sent).filter((s) => s.outcome !== 'accepted')).toEqual([]);
    // A retired generation may close an idle straggler with 421 between transactions (drain.graceMs);
    // it must never fail a transaction that had started.
    expect(longSession.sent.filter((s) => s.outcome !== 'accepted' && s.step !== 'connect' && s.step !== 'mail')).toEqual([]);
    expect(report.accepted).toBeGreaterThan(SENDERS);
    const applied = gw.logs().filter((l) => l.code === 'RG_RELOAD_APPLIED').length;
    const failedReloads = gw.logs().filter((l) => l.code === 'RG_RELOAD_FAILED' || l.code === 'RG_RELOAD_CRASHED');
    expect(failedReloads).toEqual([]);
    // The storm really swapped graphs under the load, many times.
    expect(applied).toBeGreaterThan(5);
    await gw.proc.stop('SIGTERM');
  });
});

// `serve --workers 2` with a small incident file: every worker's records land in one file sequence,
// each exactly once and in the order they were recorded, however often the file rotates.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliConfig, cliMissing, CLI } from '../reliability/cli-gateway.js';
import { RawSmtpClient, rawTransaction, testMessage } from '../helpers/gateway-harness.js';
import { startProcess, stopAllProcesses, waitForPort } from '../helpers/processes.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { projectRoot } from '../interop/gateway-process.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

afterAll(() => stopAllProcesses());

const MESSAGES = 60;
const KEEP = 200;

const monitor: PolicyFile = {
  version: 1,
  policies: [{ name: 'watch-falcon', severity: 'low', mode: 'monitor', match: { keywords: { words: ['falcon'], in: ['body'], min: 1 } }, action: { type: 'block' } }],
};

/** The rotated files oldest first (path.KEEP … path.1), then the live file. */
function recordedMessageIds(path: string): string[] {
  const files = [...Array.from({ length: KEEP }, (_, i) => `${path}.${KEEP - i}`), path].filter((f) => existsSync(f));
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { messageId: string }).messageId));
}

const skip = cliMissing();
if (skip !== undefined) process.stderr.write(`SKIP incidents-workers: ${skip}\n`);

describe.skipIf(skip !== undefined)('incident file with serve --workers 2', () => {
  it('one writer: no record lost or reordered across rotations, whichever worker recorded it', async () => {
    const mta = await startRecordingMta();
    const config = await cliConfig(mta.port);
    const path = join(config.root, 'incidents.jsonl');
    // ~2 records per file: the file rotates about 30 times while both workers record
    config.topology.gateway.incidents = { path, maxBytes: 1024, keep: KEEP };
    config.write({ monitor });
    const proc = startProcess(process.execPath, [CLI, 'serve', config.configDir, '--json-logs', '--workers', '2'], { cwd: projectRoot, env: { ...process.env, RELAYGUARD_LOG_LEVEL: 'info' } });
    try {
      await waitForPort(config.port, '127.0.0.1', 20_000);
      const until = Date.now() + 20_000;
      while (!proc.output().includes('2 workers running')) {
        if (Date.now() > until) throw new Error(`workers did not start:\n${proc.output()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      const sent: string[] = [];
      // One connection per message: node:cluster hands connections to the workers in turn.
      for (let i = 0; i < MESSAGES; i++) {
        const c = await RawSmtpClient.connect(config.port);
        expect((await c.reply()).code).toBe(220);
        const messageId = `<m${i}@corp.example>`;
        const t = await rawTransaction(c, { ehlo: 'upstream.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage({ messageId, body: `falcon ${i}` }) });
        expect(t.final?.code).toBe(250);
        sent.push(messageId);
        await c.command('QUIT').catch(() => undefined);
        c.close();
      }
      process.kill(proc.pid, 'SIGTERM');
      expect((await proc.exited).code).toBe(0);
      const workers = new Set([...proc.output().matchAll(/"worker":(\d)/g)].map((m) => m[1]));
      expect(workers.size).toBe(2);
      expect(recordedMessageIds(path)).toEqual(sent);
    } finally {
      await proc.stop('SIGKILL');
      await mta.close();
    }
  }, 90_000);
});

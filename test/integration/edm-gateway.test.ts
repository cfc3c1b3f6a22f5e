// Exact data matching end to end on the real CLI: `edm keygen` + `edm index` build the data, `validate`
// locates a bad index, `serve` blocks a message holding two columns of one record over real SMTP and
// passes one column or columns of two records; replacing the index file under load makes the new one
// live within 2 s, with every message delivered or refused exactly once.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RecordingSender, accountFor, assertAccounting, formatAccounting, newTestId, testMessage } from '../helpers/accounting.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { cleanupAfterEach, CLI, cliConfig, requireCli, startCliGateway } from '../reliability/cli-gateway.js';
import { RECIPIENT, SENDER } from '../reliability/setup.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import type { SentMessage } from '../helpers/accounting.js';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, [CLI, ...args]).then(
  (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
);

const cleanup = cleanupAfterEach();
const missing = requireCli('edm gateway');

const ALICE = { email: 'alice@example.org', iban: 'DE89 3704 0044 0532 0130 00', last_name: 'Smith' };
const BOB = { email: 'bob@example.org', iban: 'GB82 WEST 1234 5698 7654 32', last_name: 'Jones' };
const csv = (rows: readonly (typeof ALICE)[]) => `email,iban,last_name\r\n${rows.map((r) => `${r.email},"${r.iban}",${r.last_name}`).join('\r\n')}\r\n`;

const POLICY: PolicyFile = {
  version: 1,
  policies: [
    {
      name: 'customer-records',
      severity: 'high',
      match: { exactData: { index: '../data/customers.edm', columns: ['email', 'iban', 'last_name'], minColumns: 2, minRecords: 1 } },
      action: { type: 'block', reply: '550 5.7.1 Customer records may not leave corp' },
    },
  ],
} as PolicyFile;

async function setUp(rows: readonly (typeof ALICE)[]) {
  const mx = await startRecordingMta();
  cleanup.add(() => mx.close());
  const config = await cliConfig(mx.port);
  cleanup.add(() => rmSync(config.root, { recursive: true, force: true }));
  const data = join(config.root, 'data');
  mkdirSync(data);
  expect((await cli('edm', 'keygen', '--out', join(data, 'edm.key'))).code).toBe(0);
  const index = async (r: readonly (typeof ALICE)[]) => {
    writeFileSync(join(data, 'customers.csv'), csv(r));
    const out = await cli('edm', 'index', join(data, 'customers.csv'), '--columns', 'email,iban,last_name', '--key-file', join(data, 'edm.key'), '--out', join(data, 'customers.edm'));
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
  };
  await index(rows);
  config.write({ edm: POLICY });
  return { mx, config, data, index };
}

const mail = (id: string, body: string) => testMessage(id, { body: `${body}\r\n` });

describe.skipIf(missing !== undefined)(`exact data matching through the gateway (${CLI})`, () => {
  it('blocks two columns of one record, passes one column and columns of two records; incidents name columns only', async () => {
    const { mx, config } = await setUp([ALICE, BOB]);
    const gw = await startCliGateway(config);
    const sender = new RecordingSender({ port: config.port });
    const two = await sender.send({ from: SENDER, to: [RECIPIENT] }, mail(newTestId('two'), `Customer ${ALICE.email.toUpperCase()}, IBAN ${ALICE.iban.replace(/ /g, '')}`));
    const one = await sender.send({ from: SENDER, to: [RECIPIENT] }, mail(newTestId('one'), `Please write to ${ALICE.email}`));
    const mixed = await sender.send({ from: SENDER, to: [RECIPIENT] }, mail(newTestId('mixed'), `${ALICE.email} paid from ${BOB.iban}`));
    await sender.close();
    expect(two).toMatchObject({ outcome: 'permfail', detail: expect.stringContaining('550 5.7.1 Customer records may not leave corp') });
    expect(one.outcome).toBe('accepted');
    expect(mixed.outcome).toBe('accepted');
    await mx.waitForMessages(2, 5_000);
    assertAccounting([two, one, mixed], mx.messages);
    const incidents = readFileSync(join(config.root, 'incidents.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(incidents).toMatchObject([{ policy: 'customer-records', verdict: 'block', counts: { exactData: 1 }, samples: ['columns email+iban'] }]);
    expect(JSON.stringify(incidents)).not.toMatch(/alice@example|DE89|370400/i);
    await gw.proc.stop('SIGTERM');
  });

  it('validate names a corrupt index at the index: value of the policy', async () => {
    const { config, data } = await setUp([ALICE]);
    const bytes = readFileSync(join(data, 'customers.edm'));
    writeFileSync(join(data, 'customers.edm'), bytes.subarray(0, bytes.length - 100));
    const out = await cli('validate', config.configDir);
    expect(out.code).toBe(1);
    expect(out.stdout + out.stderr).toMatch(/edm\.policy\.yaml:7:16: error: RG_EDM_INDEX_CORRUPT: .*customers\.edm is \d+ bytes, its header says \d+ \(truncated or appended to\) \[\/policies\/0\/match\/exactData\/index\]/);
  });

  it('a replaced index is live within 2 s under load, every message delivered or refused exactly once', async () => {
    const { mx, config, index } = await setUp([ALICE]);
    const gw = await startCliGateway(config);
    let done = false;
    const benign = Array.from({ length: 2 }, () => new RecordingSender({ port: config.port, messagesPerConnection: 5 }));
    const bobSender = new RecordingSender({ port: config.port, messagesPerConnection: 5 });
    const bobMail = () => mail(newTestId('bob'), `account of ${BOB.last_name}: ${BOB.iban}`);
    const load = Promise.all(
      benign.map(async (s) => {
        while (!done) await s.send({ from: SENDER, to: [RECIPIENT] }, mail(newTestId('load'), `order 4711 for ${ALICE.email}`));
        await s.close();
      }),
    );
    // Bob is not in the first index: his record passes
    const before = await bobSender.send({ from: SENDER, to: [RECIPIENT] }, bobMail());
    expect(before.outcome).toBe('accepted');
    await new Promise((r) => setTimeout(r, 300));
    await index([ALICE, BOB]);
    const replaced = Date.now();
    let liveAfter = -1;
    while (Date.now() - replaced < 5_000) {
      const probe = await bobSender.send({ from: SENDER, to: [RECIPIENT] }, bobMail());
      if (probe.outcome === 'permfail') {
        liveAfter = Date.now() - replaced;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    done = true;
    await load;
    await bobSender.close();
    const sent: SentMessage[] = [...benign, bobSender].flatMap((s) => s.sent);
    await mx.waitForMessages(sent.filter((s) => s.outcome === 'accepted').length, 10_000).catch(() => undefined);
    process.stderr.write(`edm reload: new index live after ${liveAfter} ms\n${formatAccounting(accountFor(sent, mx.messages), sent)}\n`);
    expect(liveAfter).toBeGreaterThanOrEqual(0);
    expect(liveAfter).toBeLessThan(2_000);
    assertAccounting(sent, mx.messages);
    expect(benign.flatMap((s) => s.sent).filter((s) => s.outcome !== 'accepted')).toEqual([]);
    expect(gw.logs().filter((l) => l.code === 'RG_RELOAD_APPLIED').length).toBeGreaterThanOrEqual(1);
    await gw.proc.stop('SIGTERM');
  });
});

import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentWriter, incidentsFrom, type Incident } from './incidents.js';
import { NO_EDITS } from './policy-set.js';
import type { Verdict } from './decide/verdict.js';

const verdict: Verdict = {
  kind: 'block',
  reply: { code: 550, enhanced: '5.7.1', text: 'no' },
  headerEdits: NO_EDITS,
  inspection: { status: 'ok' },
  matches: [
    { policy: 'block-cards', severity: 'high', mode: 'enforce', action: 'block', counts: { creditCardNumber: 1 }, samples: ['4111********1111'] },
    { policy: 'ssn-monitor', severity: 'low', mode: 'monitor', action: 'block', counts: { usSsn: 1 }, samples: ['***-**-6780'] },
  ],
};
const envelope = { upstream: 'corp-postfix', sender: 'a@corp.example', recipients: ['b@partner.example'], transactionId: 'tx-9' };

describe('incidentsFrom', () => {
  it('makes one record per matched policy with envelope and message facts', () => {
    const list = incidentsFrom(verdict, envelope, { messageId: '<m@x>', subject: 'hi' }, new Date('2026-01-02T03:04:05Z'));
    expect(list).toHaveLength(2);
    expect(list[0]).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      transactionId: 'tx-9',
      upstream: 'corp-postfix',
      sender: 'a@corp.example',
      recipients: ['b@partner.example'],
      messageId: '<m@x>',
      subject: 'hi',
      policy: 'block-cards',
      severity: 'high',
      action: 'block',
      mode: 'enforce',
      verdict: 'block',
      counts: { creditCardNumber: 1 },
      samples: ['4111********1111'],
      inspection: { status: 'ok' },
    });
  });

  it('masks long numbers in the subject', () => {
    const [first] = incidentsFrom(verdict, envelope, { messageId: '<m@x>', subject: 'card 4111 1111 1111 1111, ssn 123-45-6780, order 12345' });
    expect(first?.subject).toBe('card 4111********1111, ssn *****6780, order 12345');
  });

  it('masks a number spelled with zero-width spaces or other digits as the detectors read it; keeps a subject with nothing to mask as written', () => {
    const subject = (s: string): string | undefined => incidentsFrom(verdict, envelope, { messageId: '<m@x>', subject: s })[0]?.subject;
    expect(subject('card 4111\u200b1111\u200b1111\u200b1111')).toBe('card 4111********1111');
    expect(subject('card ４１１１ １１１１ １１１１ １１１１')).toBe('card 4111********1111');
    expect(subject('ssn ١٢٣-٤٥-٦٧٨٠')).toBe('ssn *****6780');
    expect(subject('Ｈｅｌｌｏ\u200b wörld, order ４２')).toBe('Ｈｅｌｌｏ\u200b wörld, order ４２');
  });
});

describe('IncidentWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rg-incidents-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const one = (i: number): Incident => ({ ...incidentsFrom(verdict, envelope, { messageId: `<${i}@x>`, subject: 's' })[0]! });

  it('appends JSON lines, creating the directory', async () => {
    const path = join(dir, 'var', 'incidents.jsonl');
    const w = new IncidentWriter({ path, maxBytes: 1_000_000, keep: 2 });
    w.record([one(1)]);
    w.record([one(2)]);
    await w.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Incident);
    expect(lines.map((l) => l.messageId)).toEqual(['<1@x>', '<2@x>']);
  });

  it('rotates by size and keeps N old files', async () => {
    const path = join(dir, 'incidents.jsonl');
    const size = Buffer.byteLength(`${JSON.stringify(one(10))}\n`);
    const w = new IncidentWriter({ path, maxBytes: size * 2, keep: 2 });
    for (let i = 10; i < 17; i++) {
      w.record([one(i)]);
      await w.flush();
    }
    await w.close();
    expect((await readdir(dir)).sort()).toEqual(['incidents.jsonl', 'incidents.jsonl.1', 'incidents.jsonl.2']);
    const ids = async (f: string) => (await readFile(join(dir, f), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as Incident).messageId);
    expect(await ids('incidents.jsonl')).toEqual(['<16@x>']);
    expect(await ids('incidents.jsonl.1')).toEqual(['<14@x>', '<15@x>']);
    expect(await ids('incidents.jsonl.2')).toEqual(['<12@x>', '<13@x>']);
  });

  it('retries a failed write with backoff, counts each failure, and writes the batch once the path works', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const errors: object[] = [];
    const logger = { warn: () => undefined, error: (o: object) => errors.push(o) };
    const health = { failures: 0, dropped: 0 };
    const w = new IncidentWriter({
      path: join(blocker, 'incidents.jsonl'), maxBytes: 100_000, keep: 1, logger, retryMinMs: 5, retryMaxMs: 20,
      health: { writeFailed: () => void health.failures++, dropped: (n) => void (health.dropped += n) },
    });
    w.record([one(1), one(2)]);
    await until(() => health.failures >= 3);
    w.record([one(3)]);
    // the directory appears: the held batch and the later record are written, in order, once
    await rm(blocker);
    await mkdir(blocker);
    await w.flush();
    const ids = (await readFile(join(blocker, 'incidents.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as Incident).messageId);
    expect(ids).toEqual(['<1@x>', '<2@x>', '<3@x>']);
    expect(errors[0]).toEqual(expect.objectContaining({ code: 'RG_INCIDENT_WRITE' }));
    expect(health.dropped).toBe(0);
    expect(w.dropped).toBe(0);
    await w.close();
  });

  it('while writes fail, the buffer stays bounded and overflow is counted, never silent', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const dropped: number[] = [];
    const w = new IncidentWriter({ path: join(blocker, 'i.jsonl'), maxBytes: 100_000, keep: 1, maxQueue: 2, retryMinMs: 5, retryMaxMs: 10, health: { writeFailed: () => undefined, dropped: (n) => void dropped.push(n) } });
    w.record([one(1)]);
    await new Promise((r) => setTimeout(r, 30));
    w.record([one(2), one(3), one(4), one(5)]);
    // the held record and one more fill the queue of 2
    expect(w.dropped).toBe(3);
    // close gives up on a path that never works: what it still held is counted too
    await w.close(50);
    expect(w.dropped).toBe(5);
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('drops beyond the bounded queue and counts what it dropped', async () => {
    const path = join(dir, 'q.jsonl');
    const w = new IncidentWriter({ path, maxBytes: 1_000_000, keep: 1, maxQueue: 3 });
    w.record([one(1), one(2), one(3), one(4), one(5)]);
    await w.close();
    expect(w.dropped).toBe(2);
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(3);
  });
});

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

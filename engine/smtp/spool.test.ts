import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './spool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rg-spool-'));
  dirs.push(d);
  return d;
}

async function fill(spool: Spool, chunks: readonly string[]): Promise<void> {
  for (const c of chunks) await spool.write(Buffer.from(c, 'latin1'));
  await spool.finish();
}

async function readAll(spool: Spool, from = 0): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of spool.read(from)) parts.push(c);
  return Buffer.concat(parts).toString('latin1');
}

const sha = (s: string): string => createHash('sha256').update(s, 'latin1').digest('hex');

describe('Spool', () => {
  it('keeps small messages in memory and finds the header block', async () => {
    const spool = new Spool({ dir: tempDir(), memoryThresholdBytes: 1024, maxBytes: 10_000 });
    await fill(spool, ['Subject: x\r\nFrom: a', '@b\r\n\r', '\nbody\r\n']);
    expect(spool.inMemory).toBe(true);
    expect(spool.headerEnd).toBe('Subject: x\r\nFrom: a@b\r\n'.length);
    expect(spool.bodyStart).toBe('Subject: x\r\nFrom: a@b\r\n\r\n'.length);
    expect(await readAll(spool, spool.bodyStart)).toBe('body\r\n');
    expect(spool.bodyDigest()).toBe(sha('body\r\n'));
  });

  it('spills to a 0600 file over the threshold and deletes it on dispose', async () => {
    const dir = tempDir();
    const spool = new Spool({ dir, memoryThresholdBytes: 16, maxBytes: 10_000 });
    const body = 'x'.repeat(100);
    await fill(spool, ['H: 1\r\n\r\n', body, '\r\n']);
    expect(spool.inMemory).toBe(false);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0] ?? '')).mode & 0o777).toBe(0o600);
    expect(await readAll(spool)).toBe(`H: 1\r\n\r\n${body}\r\n`);
    expect((await spool.slice(0, spool.headerEnd)).toString()).toBe('H: 1\r\n');
    expect(spool.bodyDigest()).toBe(sha(`${body}\r\n`));
    await spool.dispose();
    expect(readdirSync(dir)).toHaveLength(0);
  });

  it('counts but does not keep bytes over the limit', async () => {
    const spool = new Spool({ dir: tempDir(), memoryThresholdBytes: 1024, maxBytes: 10 });
    await fill(spool, ['0123456789', 'abc']);
    expect(spool.size).toBe(13);
    expect(spool.exceeded).toBe(true);
  });

  it('treats a message that starts with an empty line as having no headers', async () => {
    const spool = new Spool({ dir: tempDir(), memoryThresholdBytes: 1024, maxBytes: 1000 });
    await fill(spool, ['\r\nbody\r\n']);
    expect(spool.headerEnd).toBe(0);
    expect(spool.bodyStart).toBe(2);
  });

  it('a message without an empty line is all header', async () => {
    const spool = new Spool({ dir: tempDir(), memoryThresholdBytes: 1024, maxBytes: 1000 });
    await fill(spool, ['A: 1\r\n', 'B: 2\r\n']);
    expect(spool.bodyStart).toBe(12);
    expect(spool.bodyDigest()).toBe(sha(''));
  });
});

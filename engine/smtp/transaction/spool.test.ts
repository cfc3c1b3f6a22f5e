import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHURN_BYTES, churnCollections } from './buffer-churn.js';
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
  it('runs a young-generation collection every 8 MiB it moves through fresh buffers (a large message), and none for a small one in memory', async () => {
    const small = new Spool({ dir: tempDir(), memoryThresholdBytes: 64 << 20, maxBytes: 64 << 20 });
    const before = churnCollections();
    const piece = Buffer.alloc(64 << 10, 0x61);
    for (let i = 0; i < 256; i++) await small.write(piece); // 16 MiB, held in memory: no fresh buffer per read
    await small.finish();
    for await (const c of small.read()) expect(c.length).toBe(16 << 20);
    expect(churnCollections()).toBe(before);
    await small.dispose();
    // 20 MiB received into a file and read back once: 40 MiB through fresh buffers
    const big = new Spool({ dir: tempDir(), memoryThresholdBytes: 1 << 20, maxBytes: 64 << 20 });
    const hash = createHash('sha256');
    for (let i = 0; i < 320; i++) {
      const chunk = Buffer.alloc(64 << 10, 0x30 + (i % 10));
      hash.update(chunk);
      await big.write(chunk);
    }
    await big.finish();
    const back = createHash('sha256');
    for await (const c of big.read()) back.update(c);
    expect(back.digest('hex')).toBe(hash.digest('hex'));
    expect(churnCollections() - before).toBeGreaterThanOrEqual(Math.floor((40 << 20) / CHURN_BYTES) - 1);
    await big.dispose();
  });

  it('keeps small messages in memory and finds the header block', async () => {
    const spool = new Spool({ dir: tempDir(), memoryThresholdBytes: 1024, maxBytes: 10_000 });
    await fill(spool, ['Subject: x\r\nFrom: a', '@b\r\n\r', '\nbody\r\n']);
    expect(spool.inMemory).toBe(true);
    expect(spool.headerEnd).toBe('Subject: x\r\nFrom: a@b\r\n'.length);
    expect(spool.bodyStart).toBe('Subject: x\r\nFrom: a@b\r\n\r\n'.length);
    expect(await readAll(spool, spool.bodyStart)).toBe('body\r\n');
    expect(spool.bodyDigest()).toBe(sha('body\r\n'));
  });

  it('gives the body digest while receiving and as often as asked after finish', async () => {
    const spool = new Spool({ dir: tempDir(), memoryThresholdBytes: 1024, maxBytes: 10_000 });
    await spool.write(Buffer.from('Subject: x\r\n\r\nfirst '));
    expect(spool.bodyDigest()).toBe(sha('first '));
    await spool.write(Buffer.from('second\r\n'));
    await spool.finish();
    expect(spool.bodyDigest()).toBe(sha('first second\r\n'));
    expect(spool.bodyDigest()).toBe(sha('first second\r\n'));
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

describe('Spool: one descriptor from write to relay', () => {
  it('reads through the descriptor it wrote with: the path replaced after finish changes nothing read', async () => {
    const dir = tempDir();
    const spool = new Spool({ dir, memoryThresholdBytes: 16, maxBytes: 1_000_000 });
    const body = `Subject: s\r\n\r\n${'original line\r\n'.repeat(2_000)}`;
    await fill(spool, [body.slice(0, 100), body.slice(100)]);
    expect(spool.inMemory).toBe(false);
    const [name] = readdirSync(dir);
    // Someone swaps the file under the path: a reopen by path would read this instead.
    rmSync(join(dir, name as string));
    writeFileSync(join(dir, name as string), 'X'.repeat(body.length));
    expect((await spool.slice(0, 12)).toString('latin1')).toBe('Subject: s\r\n');
    expect(await readAll(spool)).toBe(body);
    expect(await readAll(spool, spool.bodyStart)).toBe(body.slice(spool.bodyStart));
    await spool.dispose();
  });

  it('opens exactly one descriptor per spooled message and closes it on dispose', async () => {
    const dir = tempDir();
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    const spool = new Spool({ dir, memoryThresholdBytes: 16, maxBytes: 1_000_000 });
    await fill(spool, ['Subject: s\r\n\r\n', 'x'.repeat(200_000)]);
    expect(fds()).toBe(before + 1);
    const reads = [readAll(spool), readAll(spool, 10), spool.slice(0, 5)];
    expect(fds()).toBe(before + 1);
    await Promise.all(reads);
    expect(fds()).toBe(before + 1);
    await spool.dispose();
    expect(fds()).toBe(before);
    expect(readdirSync(dir)).toEqual([]);
  });
});

// A replay corpus: a directory of .eml files (each with an optional NAME.eml.json sidecar naming its envelope),
// an mbox file, or a Maildir (cur/ and new/). Messages are read one at a time, so a corpus of any size replays
// in bounded memory; line endings become CRLF as the gateway's inbound side makes them before inspection.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

export type CorpusKind = 'eml-dir' | 'mbox' | 'maildir';

export interface Sidecar {
  readonly sender?: string;
  readonly recipients?: readonly string[];
  readonly upstream?: string;
}

export interface CorpusMessage {
  /** Stable name in reports: the file relative to the corpus, or `mbox#N` (1-based). */
  readonly id: string;
  readonly raw: Buffer;
  /** Envelope hints found beside the message: its sidecar, or an mbox From_ line's sender. */
  readonly hints: Sidecar;
}

export type CorpusError = { readonly code: 'RG_REPLAY_CORPUS'; readonly message: string };

export async function detectCorpus(path: string): Promise<{ ok: true; kind: CorpusKind } | { ok: false; error: CorpusError }> {
  try {
    const st = await stat(path);
    if (st.isFile()) return { ok: true, kind: 'mbox' };
    const names = new Set(await readdir(path));
    if (names.has('cur') || names.has('new')) return { ok: true, kind: 'maildir' };
    return { ok: true, kind: 'eml-dir' };
  } catch (err) {
    return { ok: false, error: { code: 'RG_REPLAY_CORPUS', message: `cannot read corpus ${path}: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

export function readCorpus(path: string, kind: CorpusKind): AsyncIterable<CorpusMessage> {
  switch (kind) {
    case 'eml-dir':
      return readEmlDir(path);
    case 'maildir':
      return readMaildir(path);
    case 'mbox':
      return readMbox(path);
    default: {
      const never: never = kind;
      throw new Error(`unknown corpus kind ${String(never)}`);
    }
  }
}

async function* readEmlDir(dir: string): AsyncIterable<CorpusMessage> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.eml'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files) {
    const [raw, hints] = await Promise.all([readFile(file), readSidecar(`${file}.json`)]);
    yield { id: relative(dir, file), raw: toCrlf(raw), hints };
  }
}

async function readSidecar(path: string): Promise<Sidecar> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  const data = JSON.parse(text) as unknown;
  if (typeof data !== 'object' || data === null) throw new Error(`${path}: a sidecar is a JSON object { sender, recipients, upstream }`);
  const o = data as Record<string, unknown>;
  const str = (v: unknown, key: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new Error(`${path}: ${key} must be a string`);
    return v;
  };
  const rcpts = o['recipients'];
  if (rcpts !== undefined && (!Array.isArray(rcpts) || !rcpts.every((r) => typeof r === 'string'))) throw new Error(`${path}: recipients must be a list of addresses`);
  const sender = str(o['sender'], 'sender');
  const upstream = str(o['upstream'], 'upstream');
  return { ...(sender !== undefined ? { sender } : {}), ...(rcpts !== undefined ? { recipients: rcpts as string[] } : {}), ...(upstream !== undefined ? { upstream } : {}) };
}

async function* readMaildir(dir: string): AsyncIterable<CorpusMessage> {
  for (const sub of ['cur', 'new']) {
    let names: string[];
    try {
      names = (await readdir(join(dir, sub), { withFileTypes: true })).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
    } catch {
      continue;
    }
    for (const name of names) yield { id: `${sub}/${name}`, raw: toCrlf(await readFile(join(dir, sub, name))), hints: {} };
  }
}

const FROM_SEP = Buffer.from('\nFrom ');

/**
 * mboxo/mboxrd: a message starts at a line beginning "From "; body lines that did are stored as ">From " (one `>` is
 * removed). The file is cut at From_ lines found with Buffer.indexOf; only each message's own bytes are copied.
 */
async function* readMbox(path: string): AsyncIterable<CorpusMessage> {
  let n = 0;
  let parts: Buffer[] = [];
  let fromLine: string | undefined;
  const finish = (): CorpusMessage | undefined => {
    if (fromLine === undefined && parts.every((p) => p.length === 0)) return undefined;
    n += 1;
    const sender = /^From (\S*)/.exec(fromLine ?? '')?.[1] ?? '';
    let bytes = Buffer.concat(parts);
    if (bytes.includes('>From ')) bytes = Buffer.from(bytes.toString('latin1').replace(/^>(>*From )/gm, '$1'), 'latin1');
    // The blank line before the next From_ line belongs to the mbox, not to the message.
    let end = bytes.length;
    while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
    bytes = Buffer.concat([bytes.subarray(0, end), Buffer.from('\n')]);
    parts = [];
    fromLine = undefined;
    return { id: `${basename(path)}#${n}`, raw: toCrlf(bytes), hints: sender !== '' && sender !== 'MAILER-DAEMON' ? { sender } : {} };
  };
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    // Only whole lines are cut; the partial last line waits for the next chunk.
    const end = buf.lastIndexOf(0x0a) + 1;
    let pos = 0;
    // A carried-over line starts the buffer, so a From_ line can sit at 0 with no LF before it.
    if (end > 0 && buf.subarray(0, 5).toString('latin1') === 'From ') {
      const done = finish();
      if (done) yield done;
      const lineEnd = buf.indexOf(0x0a);
      fromLine = buf.subarray(0, lineEnd).toString('latin1');
      pos = lineEnd + 1;
    }
    for (let at = buf.indexOf(FROM_SEP, pos - 1 < 0 ? 0 : pos - 1); at >= 0 && at + 1 < end; at = buf.indexOf(FROM_SEP, pos - 1)) {
      parts.push(Buffer.from(buf.subarray(pos, at + 1)));
      const done = finish();
      if (done) yield done;
      const lineEnd = buf.indexOf(0x0a, at + 1);
      fromLine = buf.subarray(at + 1, lineEnd).toString('latin1');
      pos = lineEnd + 1;
    }
    parts.push(Buffer.from(buf.subarray(pos, end)));
    carry = Buffer.from(buf.subarray(end));
  }
  if (carry.length > 0) parts.push(carry);
  const last = finish();
  if (last) yield last;
}

/** Bare LF and lone CR become CRLF, as the gateway normalises DATA before it spools and inspects it. */
export function toCrlf(raw: Buffer): Buffer {
  // Lone CRs are rare enough for a string pass; bare LFs (every mbox, most files saved on Unix) are copied in bulk.
  if (raw.includes(0x0d) && /\r(?!\n)/.test(raw.toString('latin1'))) return Buffer.from(raw.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
  let bare = 0;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) if (i === 0 || raw[i - 1] !== 0x0d) bare++;
  if (bare === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + bare);
  let from = 0;
  let to = 0;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (i > 0 && raw[i - 1] === 0x0d) continue;
    to += raw.copy(out, to, from, i);
    out[to++] = 0x0d;
    out[to++] = 0x0a;
    from = i + 1;
  }
  raw.copy(out, to, from);
  return out;
}

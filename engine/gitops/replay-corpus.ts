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

const FROM_LINE = /^From (\S*)/;

/** mboxo/mboxrd: a message starts at a line beginning "From "; body lines that did are stored as ">From " (one `>` is removed). */
async function* readMbox(path: string): AsyncIterable<CorpusMessage> {
  let n = 0;
  let lines: Buffer[] = [];
  let sender: string | undefined;
  const finish = (): CorpusMessage | undefined => {
    if (lines.length === 0 && sender === undefined) return undefined;
    // The blank line before the next From_ line belongs to the mbox, not to the message.
    while (lines.length > 0 && (lines[lines.length - 1]?.length ?? 0) === 0) lines.pop();
    n += 1;
    const body = Buffer.concat(lines.flatMap((l) => [l, CRLF]));
    const msg = { id: `${basename(path)}#${n}`, raw: body, hints: sender !== undefined && sender !== '' && sender !== 'MAILER-DAEMON' ? { sender } : {} };
    lines = [];
    sender = undefined;
    return msg;
  };
  for await (const line of readLines(path)) {
    const from = line.length >= 5 && line[0] === 0x46 && line.subarray(0, 5).toString('latin1') === 'From ' ? FROM_LINE.exec(line.toString('latin1')) : null;
    if (from) {
      const done = finish();
      if (done) yield done;
      sender = from[1] ?? '';
      continue;
    }
    lines.push(/^>+From /.test(line.subarray(0, 64).toString('latin1')) ? line.subarray(1) : line);
  }
  const last = finish();
  if (last) yield last;
}

const CRLF = Buffer.from('\r\n');

/** Lines without their terminator (LF or CRLF), as Buffers: bytes stay bytes, whatever the charset. */
async function* readLines(path: string): AsyncIterable<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      yield buf.subarray(start, nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl);
      start = nl + 1;
    }
    rest = Buffer.from(buf.subarray(start));
  }
  if (rest.length > 0) yield rest;
}

/** Bare LF and lone CR become CRLF, as the gateway normalises DATA before it spools and inspects it. */
export function toCrlf(raw: Buffer): Buffer {
  if (!raw.includes(0x0a) && !raw.includes(0x0d)) return raw;
  let bare = false;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (i === 0 || raw[i - 1] !== 0x0d) {
      bare = true;
      break;
    }
  }
  if (!bare && !/\r(?!\n)/.test(raw.toString('latin1'))) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}

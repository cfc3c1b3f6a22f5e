// What mailparser drops between the parts: it sees every MIME node and every structure chunk ("data":
// delimiter lines, preamble, epilogue) that mailsplit emits, through a hook on MailParser#processChunk.
// - Preamble (before a multipart's first delimiter) and epilogue (after its closing one) reach the
//   recipient's mailbox and some clients show them: both are text segments ('preamble', 'epilogue').
// - A multipart part with a base64 or quoted-printable transfer encoding (RFC 2045 §6.4 forbids it, some
//   clients decode it anyway): its content is collected, decoded and parsed again as an entity. A spelling
//   mailsplit does not know ("x-base64", "base-64", "x-foo" on base64 bytes) gets the lenient readings of
//   a leaf (transfer-encoding.ts), each parsed again; its raw text stays preamble as mailsplit reads it.
// - A Content-Type, Content-Transfer-Encoding or Content-Disposition header given twice with different values, or a NUL byte in
//   a Content-* header, is a parser differential: mailsplit takes the first, other readers the last (or
//   stop at the NUL). Inspecting under one interpretation would let the other through, and inspecting under
//   every one would mean re-parsing the subtree once per combination; no conforming mailer writes such a
//   part (RFC 2045 §3 and RFC 5322 §3.6 allow one of each), so the part is reported unscannable
//   ('corrupt', naming the headers) and the message is refused as configured (gateway.inspection
//   .onUnscannable). The same value twice (case, spacing and a trailing ";" aside) is harmless and parsed.
// - Header fields of the multipart nodes below the top (an attached message's own From/Subject when it is
//   multipart) are given to the 'part headers' segment: mailparser emits only the leaves' headers.
import type { UnscannablePart } from '../analysis.js';
import { decodeBase64 } from './base64-stream.js';
import { decodeEncodedWords } from './encoded-words.js';
import type { ByteBudget } from './byte-budget.js';
import { decodeQuotedPrintable } from './simple-message.js';
import { TextCollector } from './text-collector.js';
import { isNonstandardEncoding, UnknownEncodingTrial } from './transfer-encoding.js';
import { UU_TRANSFER_ENCODINGS } from './uuencode.js';
import type { ParsedPart, StructureText } from './parsed-mime.js';
import type { PolicySet } from '../policy-set.js';

/** The subset of a mailsplit MimeNode read here. */
interface SplitNode {
  readonly parentNode: SplitNode | false;
  readonly _boundary: Buffer | false;
  readonly multipart: string | false;
  readonly encoding: string | false;
  readonly contentType: string | false;
  readonly filename: string | false;
  readonly root: boolean;
  readonly headers?: { getList(): readonly { key: string; line: Buffer | string }[] };
}

interface SplitChunk {
  readonly type: 'node' | 'data' | 'body';
  readonly node?: SplitNode;
  readonly value?: Buffer;
}

export interface StructureResult {
  readonly texts: readonly StructureText[];
  readonly issues: readonly UnscannablePart[];
  /** Encoded multiparts, decoded: `content` is a header block (their Content-Type) and the decoded body. */
  readonly entities: readonly ParsedPart[];
  readonly headers: readonly string[];
}

const ENCODED = new Set(['base64', 'quoted-printable']);
// Content-Disposition too: its file name is what attachment policies (extensions, names) judge
const CHECKED: Readonly<Record<string, string>> = { 'content-type': 'Content-Type', 'content-transfer-encoding': 'Content-Transfer-Encoding', 'content-disposition': 'Content-Disposition' };

interface Encoded {
  readonly node: SplitNode;
  readonly chunks: Buffer[];
  size: number;
  truncated: boolean;
}

export class MimeStructure {
  readonly #budget: ByteBudget;
  readonly #scans: PolicySet | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #collectors = new Map<'preamble' | 'epilogue', TextCollector>();
  // a multipart's position: between parts once its first delimiter passed, after the closing one in its epilogue
  readonly #state = new WeakMap<SplitNode, 'parts' | 'epilogue'>();
  readonly #encoded = new Map<SplitNode, Encoded>();
  readonly #trials = new Map<SplitNode, UnknownEncodingTrial>();
  readonly #issues: UnscannablePart[] = [];
  readonly #headers: string[] = [];

  constructor(budget: ByteBudget, scans: PolicySet | undefined, signal: AbortSignal | undefined) {
    this.#budget = budget;
    this.#scans = scans;
    this.#signal = signal;
  }

  /** Installs the hook on one MailParser instance. */
  attach(parser: object): void {
    const p = parser as { processChunk(data: SplitChunk, done: (err?: Error) => void): void };
    const original = p.processChunk.bind(parser);
    p.processChunk = (data, done) => {
      if (data.type === 'node' && data.node === undefined) this.#onNode(data as unknown as SplitNode);
      else if (data.type === 'data' && data.node !== undefined && data.value !== undefined) this.#onData(data.node, data.value);
      original(data, done);
    };
  }

  end(): StructureResult {
    const texts: StructureText[] = [];
    for (const [label, c] of this.#collectors) texts.push({ label, ...c.end() });
    const entities: ParsedPart[] = [];
    for (const e of this.#encoded.values()) entities.push(entity(e.node, decodeEncoded(e), e.truncated));
    for (const [node, trial] of this.#trials) for (const r of trial.end()) entities.push(entity(node, r.content, r.truncated));
    return { texts, issues: this.#issues, entities, headers: this.#headers };
  }

  #onNode(node: SplitNode): void {
    const lines = node.headers?.getList() ?? [];
    const label = nodeLabel(node);
    for (const [key, name] of Object.entries(CHECKED)) {
      const values = lines.filter((l) => l.key === key).map((l) => fieldValue(l.line));
      const distinct = [...new Set(values.map(normalise))];
      if (distinct.length > 1) {
        this.#issue(label, `conflicting ${name} headers (${values.map((v) => JSON.stringify(v)).join(' and ')}): mail clients differ on which one applies`);
      }
    }
    for (const l of lines) {
      if (l.key.startsWith('content-') && fieldValue(l.line).includes('\u0000')) this.#issue(label, `a NUL byte in the ${l.key} header: mail clients differ on where the field ends`);
    }
    if (node.multipart !== false && !node.root) this.#headers.push(lines.map((l) => decodeEncodedWords(fieldLine(l.line))).join('\n'));
    const encoding = node.encoding || '';
    if (node.multipart !== false && ENCODED.has(encoding)) this.#encoded.set(node, { node, chunks: [], size: 0, truncated: false });
    else if (node.multipart !== false && isNonstandardEncoding(encoding) && !UU_TRANSFER_ENCODINGS.has(encoding)) this.#trials.set(node, new UnknownEncodingTrial(encoding, this.#budget));
  }

  #issue(label: string, detail: string): void {
    if (!this.#issues.some((i) => i.label === label && i.detail === detail)) this.#issues.push({ label, reason: 'corrupt', detail });
  }

  #onData(node: SplitNode, value: Buffer): void {
    const encoded = this.#encoded.get(node);
    if (encoded !== undefined) {
      encoded.size += value.length;
      const granted = this.#budget.take(value.length);
      if (granted < value.length) encoded.truncated = true;
      if (granted > 0) encoded.chunks.push(Buffer.from(value.subarray(0, granted)));
      return;
    }
    this.#trials.get(node)?.write(value);
    let start = 0;
    while (start < value.length) {
      let end = value.indexOf(0x0a, start);
      if (end < 0) end = value.length;
      this.#line(node, value.subarray(start, end));
      start = end + 1;
    }
  }

  #line(node: SplitNode, raw: Buffer): void {
    const line = raw.toString('utf8').replace(/[ \t\r]+$/, '');
    if (line === '') return;
    if (line.startsWith('--')) {
      // a delimiter of this node or of one of its ancestors: structure, not text
      for (let owner: SplitNode | false = node; owner !== false; owner = owner.parentNode) {
        const b = owner._boundary === false ? undefined : owner._boundary.toString('latin1');
        if (b === undefined) continue;
        if (line === `--${b}`) return void this.#state.set(owner, 'parts');
        if (line === `--${b}--`) return void this.#state.set(owner, 'epilogue');
      }
    }
    const label = this.#state.get(node) === 'epilogue' ? 'epilogue' : 'preamble';
    let c = this.#collectors.get(label);
    if (c === undefined) {
      c = new TextCollector({ budget: this.#budget, scans: this.#scans, ...(this.#signal ? { signal: this.#signal } : {}) });
      this.#collectors.set(label, c);
    }
    c.push(`${line}\n`);
  }
}

function decodeEncoded(e: Encoded): Buffer {
  const raw = Buffer.concat(e.chunks);
  return e.node.encoding === 'base64' ? decodeBase64(raw) : decodeQuotedPrintable(raw);
}

function entity(node: SplitNode, decoded: Buffer, truncated: boolean): ParsedPart {
  const type = (node.headers?.getList() ?? []).find((l) => l.key === 'content-type');
  const head = Buffer.from(`${type === undefined ? 'Content-Type: text/plain' : fieldLine(type.line)}\r\n\r\n`, 'latin1');
  let depth = 0;
  for (let n = node.parentNode; n !== false; n = n.parentNode) depth++;
  const content = Buffer.concat([head, decoded]);
  return { name: nodeLabel(node), declaredType: `${node.contentType || 'multipart/mixed'}`, size: content.length, content, truncated, depth, encodedEntity: true };
}

function nodeLabel(node: SplitNode): string {
  if (node.filename !== false && node.filename !== '') return node.filename;
  const encoding = node.encoding === false || node.encoding === '' ? '' : `, ${node.encoding}`;
  return `(${node.root ? 'message' : 'part'} ${node.contentType || 'text/plain'}${encoding})`;
}

function fieldLine(line: Buffer | string): string {
  return (typeof line === 'string' ? line : line.toString('latin1')).replace(/\r?\n[ \t]+/g, ' ').replace(/\r?\n$/, '');
}

function fieldValue(line: Buffer | string): string {
  const text = fieldLine(line);
  return text.slice(text.indexOf(':') + 1).trim();
}

/** The media type is case-insensitive, parameter values (a boundary) are not; spacing and a trailing ";" do not count. */
function normalise(value: string): string {
  const v = value.replace(/\s+/g, ' ').replace(/\s*;\s*/g, ';').replace(/;$/, '').trim();
  const semi = v.indexOf(';');
  return semi < 0 ? v.toLowerCase() : `${v.slice(0, semi).toLowerCase()}${v.slice(semi).replace(/(^|;)([^=;]+)=/g, (_m, s: string, k: string) => `${s}${k.toLowerCase()}=`)}`;
}

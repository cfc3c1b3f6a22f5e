// Content-Transfer-Encoding values the MIME parser does not know. mailsplit decodes exactly "base64" and
// "quoted-printable" (case and blanks aside) and passes anything else through as it is, which is also what
// Thunderbird and Outlook show for an unknown value. So the raw text of such a part is inspected as
// always, and beside it one decoded reading (UnknownEncodingTrial): the one its name suggests ("x-base64",
// "base-64", "quoted_printable", "base64 please"), or, for a name that suggests nothing, base64 when every
// byte is in the base64 alphabet and quoted-printable when escapes are present. Recipients and their tools
// that decode by such a name must not see text the gateway never read.
import { decodeBase64 } from './base64-stream.js';
import type { ByteBudget } from './byte-budget.js';
import { decodeQuotedPrintable } from './simple-message.js';

/** What mailsplit decodes (or passes as the identity it is). */
const STANDARD: ReadonlySet<string> = new Set(['', '7bit', '8bit', 'binary', 'base64', 'quoted-printable']);

export type TransferReading = 'base64' | 'quoted-printable' | 'identity' | 'unknown';

/** The encoding a lenient reader takes a nonstandard value for: its first word, "x-", "-", "_" ignored. */
export function lenientTransferEncoding(value: string): TransferReading {
  const word = (value.trim().toLowerCase().split(/[\s;(,]/)[0] ?? '').replace(/^x-/, '').replace(/[-_]/g, '');
  if (word === 'base64' || word === 'b64') return 'base64';
  if (word === 'quotedprintable' || word === 'qp') return 'quoted-printable';
  if (word === '7bit' || word === '8bit' || word === 'binary') return 'identity';
  return 'unknown';
}

/** A transfer encoding mailsplit passes through undecoded although a reader might decode it. */
export function isNonstandardEncoding(value: string): boolean {
  return !STANDARD.has(value);
}

const BASE64_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n\t ') BASE64_BYTE[c.charCodeAt(0)] = 1;
const QP_ESCAPE = /=(?:[0-9A-Fa-f]{2}|[ \t]*\r?\n)/;

/** Collects a part's raw bytes (within the budget) while it streams, and decodes them at the end. */
export class UnknownEncodingTrial {
  readonly #budget: ByteBudget;
  readonly #reading: TransferReading;
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #truncated = false;
  #base64Alphabet = true;
  #escapes = false;

  constructor(value: string, budget: ByteBudget) {
    this.#reading = lenientTransferEncoding(value);
    this.#budget = budget;
  }

  write(chunk: Buffer): void {
    if (this.#reading === 'identity') return;
    if (this.#base64Alphabet) for (const b of chunk) if (BASE64_BYTE[b] === 0) this.#base64Alphabet = false;
    if (this.#reading === 'unknown' && !this.#base64Alphabet && !this.#escapes) {
      // neither base64 nor (so far) quoted-printable: text before the first escape reads the same raw,
      // so nothing is held for it (a long text with an unknown encoding costs no memory here)
      this.#escapes = QP_ESCAPE.test(chunk.toString('latin1'));
      if (!this.#escapes) return this.#drop();
    }
    const granted = this.#budget.take(chunk.length);
    if (granted < chunk.length) this.#truncated = true;
    if (granted > 0) this.#chunks.push(granted === chunk.length ? chunk : chunk.subarray(0, granted));
    this.#kept += granted;
  }

  #drop(): void {
    this.#budget.give(this.#kept);
    this.#chunks.length = 0;
    this.#kept = 0;
  }

  /** The decoded readings (none when the raw text is the only one): base64 and quoted-printable both when the bytes fit both. */
  end(): readonly { readonly content: Buffer; readonly truncated: boolean; readonly as: 'base64' | 'quoted-printable' }[] {
    const raw = Buffer.concat(this.#chunks, this.#kept);
    this.#chunks.length = 0;
    // the raw bytes go back: each decoded reading takes its own share
    this.#budget.give(raw.length);
    return this.#readings(raw).map((as) => {
      const decoded = as === 'base64' ? decodeBase64(raw) : decodeQuotedPrintable(raw);
      const granted = this.#budget.take(decoded.length);
      return { content: decoded.subarray(0, granted), truncated: this.#truncated || granted < decoded.length, as };
    });
  }

  #readings(raw: Buffer): readonly ('base64' | 'quoted-printable')[] {
    if (this.#reading === 'base64' || this.#reading === 'quoted-printable') return [this.#reading];
    if (this.#reading === 'identity' || raw.length === 0) return [];
    // "=41=42" is in the base64 alphabet too, and base64 padding before a line end looks like a soft break
    const escapes = this.#escapes || QP_ESCAPE.test(raw.toString('latin1'));
    if (this.#base64Alphabet) return escapes ? ['base64', 'quoted-printable'] : ['base64'];
    return escapes ? ['quoted-printable'] : [];
  }
}

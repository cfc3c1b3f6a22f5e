// Header rewriting for modify/redirect: only the header block changes; the body streams through untouched.
import { encodeWords, isAscii } from '../extract/encoded-words.js';
import type { HeaderEdits } from '../policy-set.js';

interface Field {
  /** Lower-case name; '' for a line that is not a field (kept as-is). */
  readonly name: string;
  /** The field's raw lines, folding included, each without its line ending. */
  readonly lines: readonly string[];
}

/**
 * Applies edits to a header block (bytes up to and including the blank line). Removed fields go,
 * the subject gets its prefix, added fields are appended before the blank line.
 */
export function rewriteHeaders(headerBlock: Buffer, edits: HeaderEdits): Buffer {
  const text = headerBlock.toString('latin1');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const fields = splitFields(text);
  const remove = new Set(edits.remove.map((n) => n.toLowerCase()));
  const kept = fields.filter((f) => f.name === '' || !remove.has(f.name));
  const prefixed = edits.subjectPrefix === undefined ? kept : prefixSubject(kept, edits.subjectPrefix);
  const added = edits.add.map((h) => ({ name: h.name.toLowerCase(), lines: foldField(h.name, h.value) }));
  const out = [...prefixed, ...added].flatMap((f) => f.lines).join(eol);
  return Buffer.from(`${out}${eol}${eol}`, 'latin1');
}

function splitFields(text: string): Field[] {
  const body = text.replace(/(\r?\n)+$/, '');
  if (body === '') return [];
  const fields: { name: string; lines: string[] }[] = [];
  for (const line of body.split(/\r?\n/)) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last !== undefined) last.lines.push(line);
    else {
      const colon = line.indexOf(':');
      fields.push({ name: colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '', lines: [line] });
    }
  }
  return fields;
}

function prefixSubject(fields: readonly Field[], prefix: string): Field[] {
  const at = fields.findIndex((f) => f.name === 'subject');
  if (at < 0) return [...fields, { name: 'subject', lines: foldField('Subject', prefix.trim()) }];
  const field = fields[at] as Field;
  const [first = '', ...rest] = field.lines;
  const colon = first.indexOf(':');
  const value = first.slice(colon + 1).replace(/^[ \t]+/, '');
  // replies and forwards keep their prefix: never stack "[ENCRYPT] [ENCRYPT] "
  if (value.startsWith(prefix) || value.startsWith(encodePrefix(prefix, value))) return [...fields];
  const lines = [`${first.slice(0, colon + 1)} ${encodePrefix(prefix, value)}${value}`, ...rest];
  return fields.map((f, i) => (i === at ? { name: f.name, lines } : f));
}

/** The prefix as it goes on the wire; non-ASCII text becomes encoded-words (RFC 2047). */
function encodePrefix(prefix: string, rest: string): string {
  if (isAscii(prefix)) return prefix;
  // whitespace between two encoded-words vanishes when decoded, so the trailing space goes inside
  if (rest.startsWith('=?')) return `${encodeWords(prefix)} `;
  const trimmed = prefix.replace(/[ \t]+$/, '');
  return `${encodeWords(trimmed)}${prefix.length > trimmed.length ? ' ' : ''}`;
}

/** "Name: value" folded at spaces (or comma-space) so lines stay near 78 characters. */
function foldField(name: string, value: string): string[] {
  const clean = value.replace(/[\r\n]+/g, ' ');
  const encoded = isAscii(clean) ? clean : encodeWords(clean);
  const words = encoded.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of words) {
    if (line.length + 1 + word.length > 78 && line.length > name.length + 1) {
      lines.push(line);
      line = ` ${word}`;
    } else line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

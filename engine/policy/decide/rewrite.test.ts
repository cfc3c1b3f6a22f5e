import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from '../extract/encoded-words.js';
import { NO_EDITS } from '../policy-set.js';
import { rewriteHeaders } from './rewrite.js';

const block = (lines: readonly string[]): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
const lines = (b: Buffer): string[] => b.toString('latin1').replace(/\r\n\r\n$/, '').split('\r\n');

describe('rewriteHeaders', () => {
  const original = block(['From: a@corp.example', 'Subject: Quarterly', ' numbers', 'X-Internal: 1', 'X-internal: 2', 'To: b@partner.example']);

  it('leaves the block unchanged without edits', () => {
    expect(rewriteHeaders(original, NO_EDITS).equals(original)).toBe(true);
  });

  it('removes headers case-insensitively, prefixes a folded subject and appends headers', () => {
    const out = rewriteHeaders(original, { add: [{ name: 'X-DLP-Encrypt', value: 'yes' }], remove: ['x-INTERNAL'], subjectPrefix: '[ENCRYPT] ' });
    expect(lines(out)).toEqual(['From: a@corp.example', 'Subject: [ENCRYPT] Quarterly', ' numbers', 'To: b@partner.example', 'X-DLP-Encrypt: yes']);
    expect(out.subarray(-4).toString()).toBe('\r\n\r\n');
  });

  it('prefixes an RFC 2047 subject so it still decodes to prefix + subject', () => {
    const out = rewriteHeaders(block(['Subject: =?UTF-8?B?R3LDvMOfZQ==?=']), { ...NO_EDITS, subjectPrefix: '[ENCRYPT] ' });
    const value = lines(out)[0]?.replace(/^Subject: /, '') ?? '';
    expect(value).toBe('[ENCRYPT] =?UTF-8?B?R3LDvMOfZQ==?=');
    expect(decodeEncodedWords(value)).toBe('[ENCRYPT] Grüße');
  });

  it('encodes a non-ASCII prefix', () => {
    for (const subject of ['plain', '=?UTF-8?B?R3LDvMOfZQ==?=']) {
      const out = rewriteHeaders(block([`Subject: ${subject}`]), { ...NO_EDITS, subjectPrefix: '[VERTRAULICH·] ' });
      const value = lines(out)[0]?.replace(/^Subject: /, '') ?? '';
      expect(value).toMatch(/^=\?UTF-8\?B\?/);
      expect(decodeEncodedWords(value)).toBe(`[VERTRAULICH·] ${decodeEncodedWords(subject)}`);
    }
  });

  it('does not stack a prefix that is already there, and adds a Subject when missing', () => {
    const twice = rewriteHeaders(block(['Subject: [ENCRYPT] hi']), { ...NO_EDITS, subjectPrefix: '[ENCRYPT] ' });
    expect(lines(twice)).toEqual(['Subject: [ENCRYPT] hi']);
    const none = rewriteHeaders(block(['From: a@x.test']), { ...NO_EDITS, subjectPrefix: '[ENCRYPT] ' });
    expect(lines(none)).toEqual(['From: a@x.test', 'Subject: [ENCRYPT]']);
  });

  it('folds long added headers and never lets a value break a line', () => {
    const rcpts = Array.from({ length: 10 }, (_, i) => `recipient-${i}@partner.example`).join(', ');
    const out = lines(rewriteHeaders(block(['From: a@x.test']), { ...NO_EDITS, add: [{ name: 'X-Relayguard-Original-Recipients', value: rcpts }, { name: 'X-Evil', value: 'a\r\nBcc: x@y.test' }] }));
    expect(out.every((l) => l.length <= 78)).toBe(true);
    expect(out.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(1);
    expect(out).toContain('X-Evil: a Bcc: x@y.test');
  });

  it('keeps LF-only blocks LF-only', () => {
    const out = rewriteHeaders(Buffer.from('Subject: x\n\n'), { ...NO_EDITS, add: [{ name: 'X-A', value: 'b' }] });
    expect(out.toString()).toBe('Subject: x\nX-A: b\n\n');
  });
});

import { describe, expect, it } from 'vitest';
import { PrintableStrings, printableStrings } from './strings.js';

const be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();

describe('printableStrings', () => {
  it('finds ASCII, UTF-16LE and UTF-16BE runs, each once', () => {
    const data = Buffer.concat([Buffer.from('ascii run\x01'), Buffer.from('little endian', 'utf16le'), Buffer.from([1, 1]), be('big endian'), Buffer.from([2, 2])]);
    expect(printableStrings(data).split('\n').filter((l) => l !== '')).toEqual(['ascii run', 'little endian', 'big endian']);
  });

  it('a UTF-16BE run split across chunks at an odd byte', () => {
    const data = Buffer.concat([Buffer.from([7, 7]), be('4111 1111 1111 1111'), Buffer.from([9, 9])]);
    const s = new PrintableStrings();
    const out = s.write(data.subarray(0, 11)) + s.write(data.subarray(11)) + s.end();
    expect(out).toBe('4111 1111 1111 1111\n');
  });
});

import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget.js';
import { decodeYencLine, UuDecoder, uudecodeText } from './uuencode.js';
import { uuencode } from '../../../test/fixtures/uuencode.js';

const data = Buffer.from(`card 4111 1111 1111 1111 ${'x'.repeat(200)}`);

describe('UuDecoder', () => {
  it('decodes a block whatever the chunk boundaries (begin line split, lines split)', () => {
    const text = `hello\n${uuencode(data, 'a.txt')}bye\n`;
    for (const step of [1, 3, 7, 64, text.length]) {
      const d = new UuDecoder(new ByteBudget(1 << 20));
      for (let i = 0; i < text.length; i += step) d.push(text.slice(i, i + step));
      const files = d.end();
      expect(files.map((f) => [f.name, f.content.toString()])).toEqual([['a.txt', data.toString()]]);
    }
  });

  it('decodes begin-base64 blocks and keeps an unterminated block as far as it came', () => {
    const files = uudecodeText(`begin-base64 644 b.bin\n${data.toString('base64')}\n====\n${uuencode(data, 'c.txt').replace(/`\nend\n$/, '')}`, new ByteBudget(1 << 20));
    expect(files.map((f) => [f.name, f.content.toString()])).toEqual([['b.bin', data.toString()], ['c.txt', data.toString()]]);
  });

  it('counts decoded bytes against the budget and marks a cut file truncated', () => {
    const [file] = uudecodeText(uuencode(data), new ByteBudget(10));
    expect(file?.content.length).toBe(10);
    expect(file?.size).toBe(data.length);
    expect(file?.truncated).toBe(true);
  });

  it('finds nothing in text without a begin line (or with "begin" inside a line)', () => {
    expect(uudecodeText('we begin 644 tomorrow\nend\n', new ByteBudget(100))).toEqual([]);
  });
});

describe('yEnc blocks', () => {
  const yenc = (data: Buffer): string => [...data].map((b) => { const o = (b + 42) & 255; return [0, 10, 13, 61].includes(o) ? `=${String.fromCharCode((o + 64) & 255)}` : String.fromCharCode(o); }).join('');
  it('decodes an =ybegin … =yend block, escapes included, split across chunks', () => {
    const data = Buffer.from([0, 1, 19, 214, 224, 227, 255, 52, 53]);
    const text = `hi\n=ybegin line=128 size=${data.length} name=a b.bin\n${yenc(data)}\n=yend size=${data.length}\nbye\n`;
    const d = new UuDecoder(new ByteBudget(1 << 20));
    for (let i = 0; i < text.length; i += 5) d.push(text.slice(i, i + 5));
    const files = d.end();
    expect(files.map((f) => [f.name, [...f.content]])).toEqual([['a b.bin', [...data]]]);
  });
  it('decodes one line', () => expect([...decodeYencLine(yenc(Buffer.from([0, 214, 227, 19])))]).toEqual([0, 214, 227, 19]));
});

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from './csv.js';

async function rows(text: string, chunk = 0): Promise<string[][]> {
  const parts = chunk > 0 ? Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) => Buffer.from(text.slice(i * chunk, (i + 1) * chunk))) : [Buffer.from(text)];
  const out: string[][] = [];
  for await (const r of parseCsv(Readable.from(parts))) out.push(r);
  return out;
}

describe('parseCsv (RFC 4180)', () => {
  const cases: { name: string; text: string; want: string[][] }[] = [
    { name: 'header and rows, CRLF', text: 'a,b\r\n1,2\r\n3,4\r\n', want: [['a', 'b'], ['1', '2'], ['3', '4']] },
    { name: 'LF line ends and no final newline', text: 'a,b\n1,2', want: [['a', 'b'], ['1', '2']] },
    { name: 'quoted comma', text: 'a,b\n"x,y",2\n', want: [['a', 'b'], ['x,y', '2']] },
    { name: 'escaped quotes', text: 'a\n"say ""hi"""\n', want: [['a'], ['say "hi"']] },
    { name: 'line breaks inside quotes', text: 'a,b\n"line1\r\nline2",z\n', want: [['a', 'b'], ['line1\r\nline2', 'z']] },
    { name: 'empty fields', text: 'a,b,c\n,,\n', want: [['a', 'b', 'c'], ['', '', '']] },
    { name: 'quoted empty field', text: 'a,b\n"",x\n', want: [['a', 'b'], ['', 'x']] },
    { name: 'blank lines skipped', text: 'a\n\n1\n\n', want: [['a'], ['1']] },
    { name: 'UTF-8 BOM dropped', text: '\ufeffemail\nx@example.org\n', want: [['email'], ['x@example.org']] },
    { name: 'non-ASCII values', text: 'name\nJosé Müller\n', want: [['name'], ['José Müller']] },
    { name: 'quote inside an unquoted field is kept', text: 'a\n5" disk\n', want: [['a'], ['5" disk']] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      expect(await rows(c.text)).toEqual(c.want);
    });
    it(`${c.name}, fed one byte at a time`, async () => {
      expect(await rows(c.text, 1)).toEqual(c.want);
    });
  }

  it('names the line of an unterminated quote, not its content', async () => {
    const err = await rows('a\n1\n"secret value\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvError);
    expect((err as CsvError).message).toBe('line 3: a quoted field is not closed before the end of the file');
    expect((err as CsvError).message).not.toContain('secret');
  });

  it('refuses text after a closing quote, with its line', async () => {
    const err = await rows('a,b\n1,2\n"x"y,3\n').catch((e: unknown) => e);
    expect((err as CsvError).code).toBe('RG_EDM_CSV');
    expect((err as CsvError).line).toBe(3);
  });
});

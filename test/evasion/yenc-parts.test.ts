// yEnc multi-part (yEnc 1.3 §4): one file posted in parts, each "=ybegin part=N total=T … name=x", then
// "=ypart begin=B end=E", its bytes and "=yend … part=N". A newsreader (and Thunderbird for mail) joins the
// parts of one name in begin order; a card cut between two parts must be read as that joined file.
import { analysisSuite, crlf, HEAD, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';
import { describe, expect, it } from 'vitest';
import { type UuFile, YencPieces } from '../../engine/policy/extract/uuencode.js';
import { CARD } from './extraction-fixtures.js';

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const CUT = CARD_TEXT.indexOf(CARD) + 7; // inside the second group

const yencBytes = (data: Buffer): string => {
  let s = '';
  for (const b of data) {
    const o = (b + 42) & 255;
    s += [0, 10, 13, 61].includes(o) ? `=${String.fromCharCode((o + 64) & 255)}` : String.fromCharCode(o);
  }
  return s;
};

/** The file cut at `cut` into two yEnc parts; `order` says which part is written first. */
const yencParts = (text: string, cut: number, name = 'card.txt'): [string, string] => {
  const data = Buffer.from(text);
  const pieces = [data.subarray(0, cut), data.subarray(cut)];
  const block = (i: number): string => {
    const begin = i === 0 ? 1 : cut + 1;
    const end = i === 0 ? cut : data.length;
    return `=ybegin part=${i + 1} total=2 line=128 size=${data.length} name=${name}\n=ypart begin=${begin} end=${end}\n${yencBytes(pieces[i] ?? Buffer.alloc(0))}\n=yend size=${end - begin + 1} part=${i + 1} pcrc32=00000000\n`;
  };
  return [block(0), block(1)];
};

const [P1, P2] = yencParts(CARD_TEXT, CUT);
const twoTextParts = (a: string, b: string): Buffer =>
  crlf(`${HEAD}Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\n${a}\n--o\nContent-Type: text/plain\n\n${b}\n--o--\n`);

/** Each text as an attached file of its own (a.txt, b.txt), after a plain body. */
const twoAttachments = (a: string, b: string, encoding = '7bit'): Buffer => {
  const enc = (t: string): string => (encoding === 'base64' ? Buffer.from(t, 'latin1').toString('base64').replace(/(.{76})/g, '$1\n') : t);
  const file = (name: string, t: string): string => `--o\nContent-Type: text/plain\nContent-Disposition: attachment; filename=${name}\nContent-Transfer-Encoding: ${encoding}\n\n${enc(t)}\n`;
  return crlf(`${HEAD}Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\nthe files\n${file('a.txt', a)}${file('b.txt', b)}--o--\n`);
};
const LONG = `${'filler words without numbers '.repeat(40)}\n`.repeat(1000);

const VARIANTS: readonly Variant[] = [
  { name: 'both parts in one text body, in order', build: () => single('Content-Type: text/plain', `${P1}${P2}`), expect: 'card', smtp: true },
  { name: 'both parts in one text body, part 2 first', build: () => single('Content-Type: text/plain', `${P2}between the parts\n${P1}`), expect: 'card' },
  { name: 'both parts in one text part of a multipart', build: () => inMultipart('Content-Type: text/plain', `${P1}${P2}`), expect: 'card' },
  { name: 'one part in each of two text parts', build: () => twoTextParts(P1, P2), expect: 'card', smtp: true },
  { name: 'one part in each of two text parts, part 2 first', build: () => twoTextParts(P2, P1), expect: 'card' },
  // session 8, branch yenc-join: parts in separate attachments
  { name: 'part 1 in attachment a.txt, part 2 in attachment b.txt', build: () => twoAttachments(P1, P2), expect: 'card', smtp: true },
  { name: 'part 2 in attachment a.txt, part 1 in attachment b.txt', build: () => twoAttachments(P2, P1), expect: 'card', smtp: true },
  { name: 'part 1 and part 2 in two base64 attachments', build: () => twoAttachments(P1, P2, 'base64'), expect: 'card' },
  { name: 'part 1 in the body, part 2 in attachment b.txt', build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\n${P1}\n--o\nContent-Type: text/plain\nContent-Disposition: attachment; filename=b.txt\n\n${P2}\n--o--\n`), expect: 'card' },
  { name: 'part 1 in a.txt, part 2 at the end of a b.txt over 1 MiB (streamed as a long text)', build: () => twoAttachments(P1, `${LONG}${P2}`), expect: 'card' },
  // held before the fix: a single-part yEnc block (mime-encodings.test.ts has more)
  { name: 'the whole file as "part 1 of 1"', build: () => single('Content-Type: text/plain', yencParts(CARD_TEXT, Buffer.byteLength(CARD_TEXT))[0]), expect: 'card' },
  // controls
  { name: 'control: two parts of a clean file', build: () => single('Content-Type: text/plain', yencParts('nothing to see in this file at all', 12).join('')), expect: 'clean', smtp: true },
  { name: 'control: halves of two different files (card.txt, other.txt) are not joined', build: () => single('Content-Type: text/plain', `${P1}${yencParts(CARD_TEXT, CUT, 'other.txt')[1]}`), expect: 'clean' },
  { name: 'control: halves of two different files in two attachments are not joined', build: () => twoAttachments(P1, yencParts(CARD_TEXT, CUT, 'other.txt')[1]), expect: 'clean', smtp: true },
];

analysisSuite('evasion: a card cut between the parts of a yEnc multi-part file (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: yEnc multi-part files', 'yenc-parts', VARIANTS);

describe('yEnc parts held across texts: the cap', () => {
  const part = (name: string, begin: number, bytes: number): UuFile => ({ name, content: Buffer.alloc(bytes, 0x41), size: bytes, truncated: false, yencPart: { part: begin === 1 ? 1 : 2, begin } });
  it('parts are held up to maxBytes; one beyond is refused (the caller reports it) and the held ones still join', () => {
    const pieces = new YencPieces<string>(100);
    expect(pieces.add(part('x.bin', 1, 60), 'a.txt')).toBe(true);
    expect(pieces.add(part('x.bin', 61, 40), 'b.txt')).toBe(true);
    expect(pieces.add(part('y.bin', 1, 1), 'c.txt')).toBe(false);
    const joined = pieces.joined();
    expect(joined.map((j) => [j.file.name, j.file.content.length, j.where])).toEqual([['x.bin', 100, 'a.txt']]);
  });
  it('a file whose parts are not parts (no =ypart) is never held', () => {
    const pieces = new YencPieces<string>(1);
    expect(pieces.add({ name: 'z', content: Buffer.alloc(5), size: 5, truncated: false }, 'a')).toBe(true);
    expect(pieces.joined()).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from './encoded-words.js';

const B = (s: string): string => Buffer.from(s).toString('base64');

describe('decodeEncodedWords', () => {
  it('returns a value without encoded-words as it is', () => {
    expect(decodeEncodedWords('plain subject 4111')).toBe('plain subject 4111');
  });

  it('gives one reading where word by word and joined agree', () => {
    expect(decodeEncodedWords(`=?utf-8?B?${B('hello ')}?= =?utf-8?Q?w=C3=B6rld?=`)).toBe('hello wörld');
  });

  it('joins B words of one charset cut inside a base64 group, as mailparser does, and keeps the word-by-word reading too', () => {
    const b = B('card 4111111111111111');
    const [joined, byWord] = decodeEncodedWords(`=?utf-8?B?${b.slice(0, 6)}?= =?UTF8?B?${b.slice(6)}?=`).split('\n');
    expect(joined).toBe('card 4111111111111111');
    expect(byWord).not.toContain('4111111111111111');
  });

  it('reads every padded segment of one B word', () => {
    expect(decodeEncodedWords(`=?utf-8?B?${B('4111 ')}${B('1111')}?=`)).toBe('4111 1111');
  });

  it('joins a UTF-8 sequence cut between two Q words', () => {
    expect(decodeEncodedWords('=?utf-8?Q?=EF=BC?= =?utf-8?Q?=94?=').split('\n')[0]).toBe('\uff14');
  });

  it('does not join words of two charsets', () => {
    expect(decodeEncodedWords(`=?iso-8859-1?Q?caf=E9?= =?utf-8?Q?_cr=C3=A8me?=`)).toBe('café crème');
  });

  it('keeps a word in a charset nobody knows in the word-by-word reading', () => {
    expect(decodeEncodedWords('=?x-nonesuch?Q?abc?=')).toContain('=?x-nonesuch?Q?abc?=');
  });
});

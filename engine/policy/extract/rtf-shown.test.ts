import { describe, expect, it } from 'vitest';
import { readRtf } from './rtf.js';

const COLOURS = '{\\colortbl;\\red255\\green255\\blue255;\\red0\\green0\\blue0;}';
const text = (body: string): string => readRtf(`{\\rtf1\\ansi${COLOURS}${body}}`).text;

describe('RTF text as shown', () => {
  it('follows the full text where some of it is not shown, and only then', () => {
    expect(text('a{\\v b}c')).toBe('abc\nac');
    expect(text('a\\v b\\v0 c')).toBe('abc\nac');
    expect(text('a{\\b b}c')).toBe('abc');
    expect(text('a{\\field{\\*\\fldinst PAGE}{\\fldrslt 1}}')).toBe('aPAGE1\na1');
  });

  it('takes white as hidden on the page only: no background on the run, paragraph, table or page', () => {
    expect(text('a{\\cf1 b}c')).toBe('abc\nac');
    expect(text('a{\\cf1\\highlight2 b}c')).toBe('abc');
    expect(text('\\cbpat2 a{\\cf1 b}c')).toBe('abc');
    expect(text('\\cbpat2 a\\pard {\\cf1 b}c')).toBe('abc\nac');
    expect(text('a{\\cf1 b}c\\trowd\\clcbpat2\\cellx100 d\\cell\\row')).toBe('abcd \n');
  });

  it('gives a document with tracked deletions a reading without them and one with them', () => {
    expect(text('a{\\deleted b}c')).toBe('abc\nac');
    expect(text('a{\\deleted b}{\\v x}c')).toBe('abxc\nac\nabc');
  });
});

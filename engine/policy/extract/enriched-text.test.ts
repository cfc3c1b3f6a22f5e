import { describe, expect, it } from 'vitest';
import { enrichedToText } from './enriched-text.js';

describe('enrichedToText', () => {
  const cases: readonly [string, string, string, string][] = [
    ['drops formatting commands between digits', 'text/enriched', '4111<bold>1111</bold>1111<x-foo>1111</x-foo>', '4111111111111111'],
    ['reads "<<" as a literal "<" (and not as a command)', 'text/enriched', 'a <<bold> b', 'a <bold> b'],
    ['keeps <param> content after the visible text', 'text/enriched', 'x<color><param>red</param>y</color>', 'xy\nred'],
    ['turns a lone line break into a space and n breaks into n - 1', 'text/enriched', 'a\r\nb\r\n\r\nc', 'a b\nc'],
    ['keeps an unclosed <param> (its text is still text)', 'text/enriched', 'x<param>4111', 'x\n4111'],
    ['reads richtext <lt> and <nl>, a line break as a space', 'text/richtext', '<lt>a<nl>b\nc', '<a\nb c'],
    ['leaves "<" that starts no command', 'text/enriched', '1 < 2 <and 3>', '1 < 2 <and 3>'],
  ];
  for (const [name, type, input, want] of cases) it(name, () => expect(enrichedToText(input, type)).toBe(want));
});

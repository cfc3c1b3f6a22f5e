// Excel text a reader cannot see. A cell whose number format has only empty sections (";;;") shows nothing,
// whatever it holds (";;" hides a number, not text); Excel shows its value only in the formula bar. A
// rich-text run (<r> in a shared string, an inline string or a comment) of 1pt or less (<sz val>, in
// points) is a speck within its cell. Hidden rows, columns and sheets are not hiding places: they show
// whole, apart from the cells around them, once unhidden.
import { attribute, nextFinder, withoutElements } from './office-elements.js';

const TINY_POINTS = 1;
// run properties are a few dozen characters; a run's are read up to the next run's start, and at most this many
const MAX_PROPS = 4096;

/** The cell formats (cellXfs, by index) that hide what a cell holds: every value, or numbers only. */
export interface SheetFormats {
  readonly hidesAll: ReadonlySet<number>;
  readonly hidesNumbers: ReadonlySet<number>;
}

export const NO_SHEET_FORMATS: SheetFormats = { hidesAll: new Set(), hidesNumbers: new Set() };

/** xl/styles.xml's cell formats whose number format shows nothing. */
export function readSheetFormats(xml: string): SheetFormats {
  const empty = new Map<string, 'all' | 'numbers'>();
  for (const [tag] of xml.matchAll(/<numFmt\b[^<>]*>/g)) {
    const code = attribute(tag, 'formatCode');
    const id = attribute(tag, 'numFmtId');
    if (code === undefined || id === undefined) continue;
    if (/^\s*;{3,}\s*$/.test(code)) empty.set(id.trim(), 'all');
    else if (/^\s*;;\s*$/.test(code)) empty.set(id.trim(), 'numbers');
  }
  const hidesAll = new Set<number>();
  const hidesNumbers = new Set<number>();
  if (empty.size === 0) return { hidesAll, hidesNumbers };
  const from = xml.indexOf('<cellXfs');
  const to = from < 0 ? -1 : xml.indexOf('</cellXfs>', from);
  if (from < 0) return { hidesAll, hidesNumbers };
  // cellXfs' <xf> children in order, skipping the <xf> of nothing else (cellStyleXfs is a separate list)
  const list = xml.slice(from, to < 0 ? xml.length : to);
  let index = 0;
  for (const [tag] of list.matchAll(/<xf\b[^<>]*>/g)) {
    const how = empty.get((attribute(tag, 'numFmtId') ?? '0').trim());
    if (how === 'all') hidesAll.add(index);
    else if (how === 'numbers') hidesNumbers.add(index);
    index++;
  }
  return { hidesAll, hidesNumbers };
}

/** An Excel part without its cells formatted to show nothing and its rich-text runs of 1pt or less, or undefined. */
export function shownSheetXml(xml: string, formats: SheetFormats): string | undefined {
  let shown = xml;
  if ((formats.hidesAll.size > 0 || formats.hidesNumbers.size > 0) && xml.includes('<c ')) {
    shown = withoutElements(shown, 'c', (tag) => {
      const s = Number(attribute(tag, 's') ?? 0);
      if (formats.hidesAll.has(s)) return true;
      const type = attribute(tag, 't') ?? 'n';
      return formats.hidesNumbers.has(s) && type === 'n';
    });
  }
  if (shown.includes('<rPr>')) shown = withoutTinyRuns(shown);
  return shown === xml ? undefined : shown;
}

function withoutTinyRuns(xml: string): string {
  const propsEnd = nextFinder(xml, '</rPr>');
  const runs = nextFinder(xml, '<r>');
  return withoutElements(xml, 'r', (_, after) => {
    if (!xml.startsWith('<rPr>', after)) return false;
    const end = Math.min(after + MAX_PROPS, ...[propsEnd(after), runs(after)].map((v) => (v < 0 ? xml.length : v)));
    const sz = /<sz\b[^<>]*>/.exec(xml.slice(after, end))?.[0];
    return sz !== undefined && Number(attribute(sz, 'val') ?? Number.NaN) <= TINY_POINTS;
  });
}

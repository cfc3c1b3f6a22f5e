// DrawingML (slides, charts, SmartArt, shapes in any Office part): runs a reader cannot see. A run of 1pt or
// less (a:rPr sz counts hundredths of a point) is a speck; one whose text fill is a:noFill draws nothing,
// unless an outline (a:ln with a fill) or an effect (a:effectLst) draws the glyphs anyway. A run without a
// size takes its paragraph's default or its text body's list style; placeholders, layouts and masters are
// not followed, so a run sized only there counts as seen.
import { attribute, nextFinder, withoutElements } from './office-elements.js';

const TINY_HUNDREDTHS = 100;
// run properties are a few hundred characters; a run's are read up to the next run's start, and at most this many
const MAX_PROPS = 4096;

/** The part without every DrawingML run the reader cannot see, or undefined when there is none. */
export function shownDrawingXml(xml: string): string | undefined {
  if (!xml.includes('<a:r') || !DRAWING_MAY_HIDE.test(xml)) return undefined;
  const propsEnd = nextFinder(xml, '</a:rPr>');
  const runs = [nextFinder(xml, '<a:r>'), nextFinder(xml, '<a:r ')];
  const inherited = inheritedSizes(xml);
  const shown = withoutElements(xml, 'a:r', (tag, after) => {
    const start = after - tag.length;
    if (!xml.startsWith('<a:rPr', after)) return inherited(start) <= TINY_HUNDREDTHS;
    const gt = xml.indexOf('>', after);
    if (gt < 0) return false;
    const props = xml.slice(after, gt + 1);
    const size = Number(attribute(props, 'sz') ?? inherited(start));
    if (size <= TINY_HUNDREDTHS) return true;
    if (props.endsWith('/>')) return false;
    // most runs have no fill of none at all: only those are bounded exactly and read
    const end = propsEnd(gt);
    if (!xml.slice(gt + 1, Math.min(end < 0 ? xml.length : end, gt + 1 + MAX_PROPS)).includes('<a:noFill')) return false;
    return unfilled(xml.slice(gt + 1, Math.min(gt + 1 + MAX_PROPS, ...[propsEnd, ...runs].map((f) => f(gt)).map((v) => (v < 0 ? xml.length : v)))));
  });
  return shown === xml ? undefined : shown;
}

// a size of 1pt or less (on a run or a default a run inherits) or a fill of none somewhere: else nothing is hidden
const DRAWING_MAY_HIDE = /\ssz\s*=\s*["']\s*(?:\d{1,2}|100)\s*["']|<a:noFill\b/;

const TEXT_STRUCTURE = /<a:(bodyPr|lstStyle|p|pPr)(?=[\s/>])[^<>]*>/g;

/**
 * The size a run without its own takes from the nearest levels that set one — its paragraph's default run
 * properties (a:pPr/a:defRPr), then its text body's list style for the paragraph's level — asked for at
 * increasing offsets; NaN when neither sets one (placeholders, layouts and masters are not followed).
 */
function inheritedSizes(xml: string): (at: number) => number {
  const re = new RegExp(TEXT_STRUCTURE.source, 'g');
  const ends = { pPr: nextFinder(xml, '</a:pPr>'), lstStyle: nextFinder(xml, '</a:lstStyle>') };
  // an unclosed list style is read up to the next one or the next paragraph: each stretch once
  const nextList = [nextFinder(xml, '<a:lstStyle'), nextFinder(xml, '<a:p>'), nextFinder(xml, '<a:p ')];
  const listEnd = (from: number): number => Math.min(...[ends.lstStyle, ...nextList].map((f) => f(from)).map((v) => (v < 0 ? xml.length : v)));
  let levels: number[] = [];
  let paragraph = Number.NaN;
  let level = 0;
  let pending = re.exec(xml);
  const bodyOf = (from: number, end: number): string => xml.slice(from, Math.min(end < 0 ? xml.length : end, from + MAX_PROPS));
  return (at) => {
    for (; pending !== null && pending.index < at; pending = re.exec(xml)) {
      const [tag, name] = pending;
      const after = pending.index + tag.length;
      if (name === 'bodyPr') levels = [];
      else if (name === 'p') {
        paragraph = Number.NaN;
        level = 0;
      } else if (name === 'pPr') {
        level = Number(attribute(tag, 'lvl') ?? 0);
        if (!tag.endsWith('/>')) paragraph = defaultSize(bodyOf(after, Math.min(...[ends.pPr, ...nextList].map((f) => f(after)).map((v) => (v < 0 ? xml.length : v)))));
      } else if (!tag.endsWith('/>')) levels = listSizes(bodyOf(after, listEnd(after)));
    }
    return Number.isNaN(paragraph) ? (levels[level] ?? Number.NaN) : paragraph;
  };
}

const defaultSize = (body: string): number => Number(attribute(/<a:defRPr\b[^<>]*>/.exec(body)?.[0] ?? '', 'sz') ?? Number.NaN);

/** The default run size of each of a list style's nine levels (a:lvl1pPr … a:lvl9pPr). */
function listSizes(list: string): number[] {
  return Array.from({ length: 9 }, (_, i) => {
    const at = list.indexOf(`<a:lvl${i + 1}pPr`);
    if (at < 0) return Number.NaN;
    const next = list.indexOf('<a:lvl', at + 6);
    return defaultSize(list.slice(at, next < 0 ? list.length : next));
  });
}

/** Run properties whose text fill is none, with no outline or effect that would draw the glyphs. */
function unfilled(body: string): boolean {
  const line = /<a:ln\b[^<>]*(?:\/>|>)/.exec(body);
  if (line !== null && !line[0].endsWith('/>')) {
    const end = body.indexOf('</a:ln>', line.index);
    const outline = body.slice(line.index, end < 0 ? body.length : end);
    if (!/<a:noFill\b/.test(outline)) return false;
  }
  if (/<a:effect(?:Lst|Dag)\b[^<>/]*>\s*<a:/.test(body)) return false;
  // the text fill is a direct child: not the outline's, the underline's (a:uFill) or the highlight's
  let own = body;
  for (const child of ['a:ln', 'a:uFill', 'a:highlight', 'a:effectLst', 'a:effectDag', 'a:extLst']) if (own.includes(`<${child}`)) own = withoutElements(own, child);
  return /<a:noFill\b/.test(own);
}

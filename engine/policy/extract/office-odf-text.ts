// OpenDocument text as the reader sees it: the part's XML without what LibreOffice does not show or what
// cannot be told from the page. Certain: hidden sections (text:section text:display="none"), paragraphs
// holding a hidden-paragraph field shown hidden (text:hidden-paragraph text:is-hidden="true"), hidden-text
// fields shown hidden, and text whose style — span over enclosing spans over paragraph style over the
// default paragraph style, each along its parent chain — has text:display="none". Unseen: text of 1pt or
// less, squeezed to 10% width or less, or in a colour under 1.07:1 contrast with its highlight, its
// paragraph's background or a white page. Inside frames and table cells, or on a coloured page, the ground
// is not known and coloured text counts as seen (a reading that drops seen text can be combined with a
// real hider).
import { unseenOn, WHITE } from './office-colour.js';
import { attribute, nextFinder, withoutElements } from './office-elements.js';
import { lookIn, mayHide, type OdfLook, type OdfSheet, type OdfStyleMap, readOdfStyles } from './office-odf-styles.js';

// 1pt and less: a speck, not a character; 10% width and less: a hairline
const TINY_PT = 1;
const THIN_SCALE = 10;

const BOXES = new Set(['draw:frame', 'draw:text-box', 'table:table-cell', 'table:covered-table-cell']);
const HIDEABLE_BREAKS = new Set(['text:s', 'text:tab', 'text:line-break']);

interface Open {
  readonly name: string;
  readonly look: OdfLook;
  /** the innermost paragraph this is in (itself for a paragraph) */
  paragraph: Open | undefined;
  /** a paragraph: whether any of its text is shown (a paragraph all hidden takes its line break with it) */
  shown: boolean;
}

/** The part's XML without what the reader does not see, or undefined when that is all of it. */
export function shownOdfXml(xml: string, sheet: OdfSheet): string | undefined {
  let base = xml;
  if (base.includes('<text:section')) base = withoutElements(base, 'text:section', (tag) => attribute(tag, 'text:display')?.trim() === 'none');
  if (base.includes('<text:hidden-paragraph')) base = withoutHiddenParagraphs(base);
  if (base.includes('<text:hidden-text')) base = withoutElements(base, 'text:hidden-text', (tag) => /^\s*(?:true|1)\s*$/.test(attribute(tag, 'text:is-hidden') ?? ''));
  const own = readOdfStyles(base, 'automatic-styles');
  const shown = sheet.hides || mayHide(own) ? withoutHiddenText(base, own, sheet) : base;
  return shown === xml ? undefined : shown;
}

/** Every text:p or text:h that holds (not in a nested paragraph) a hidden-paragraph field that is hidden. */
function withoutHiddenParagraphs(xml: string): string {
  const paragraphs = withoutElements(xml, 'text:p', hidingParagraph(xml));
  return withoutElements(paragraphs, 'text:h', hidingParagraph(paragraphs));
}

/** Whether the paragraph whose start tag ends at `after` in `xml` holds a hidden hidden-paragraph field of its own. */
function hidingParagraph(xml: string): (tag: string, after: number) => boolean {
  const field = nextFinder(xml, '<text:hidden-paragraph');
  const starts = [nextFinder(xml, '<text:p '), nextFinder(xml, '<text:p>'), nextFinder(xml, '<text:h ')];
  const ends = [nextFinder(xml, '</text:p>'), nextFinder(xml, '</text:h>')];
  const first = (finders: readonly ((p: number) => number)[], p: number): number => Math.min(...finders.map((f) => f(p)).map((v) => (v < 0 ? xml.length : v)));
  return (_, after) => {
    const at = field(after);
    if (at < 0 || at > first(ends, after) || at > first(starts, after)) return false;
    const gt = xml.indexOf('>', at);
    return /^\s*(?:true|1)\s*$/.test(attribute(xml.slice(at, gt < 0 ? xml.length : gt + 1), 'text:is-hidden') ?? '');
  };
}

// the elements that set how text looks, what lies behind it, or break a line
const STRUCTURE = /<(\/?)(text:(?:p|h|span|a|s|tab|line-break)|draw:(?:frame|text-box)|table:(?:table-cell|covered-table-cell))(?=[\s/>])[^<>]*>/g;

/**
 * One pass over the tags that matter: what lies between two of them is in the look of the innermost open
 * text element, and is left out where the reader cannot see it, as are the breaks (text:s, text:tab,
 * text:line-break) in such text and the end of a paragraph all of whose text is hidden.
 */
function withoutHiddenText(xml: string, own: OdfStyleMap, sheet: OdfSheet): string {
  const root: OdfLook = { hidden: false, size: 12, scale: 100, colour: undefined, ground: sheet.page };
  const boxed: OdfLook = { ...root, ground: 'unknown' };
  const paragraphDefault = (boxes: number): OdfLook => lookIn(boxes > 0 ? boxed : root, own, sheet.common, 'paragraph', '', true);
  const stack: Open[] = [];
  let boxes = 0;
  const out: string[] = [];
  let kept = 0;
  const drop = (from: number, to: number): void => {
    if (from > kept) out.push(xml.slice(kept, from));
    kept = Math.max(kept, to);
  };
  let pos = 0;
  const re = new RegExp(STRUCTURE.source, 'g');
  for (let m = re.exec(xml); ; m = re.exec(xml)) {
    const at = m === null ? xml.length : m.index;
    const top = stack.at(-1);
    if (at > pos && top !== undefined) {
      if (!seen(top.look)) drop(pos, at);
      else if (top.paragraph !== undefined) top.paragraph.shown = true;
    }
    if (m === null) break;
    const [tag, slash, name = ''] = m;
    pos = at + tag.length;
    const empty = tag.endsWith('/>');
    if (BOXES.has(name)) boxes = Math.max(0, boxes + (slash !== '' ? -1 : empty ? 0 : 1));
    else if (HIDEABLE_BREAKS.has(name)) {
      if (top !== undefined && !seen(top.look)) drop(at, pos);
    } else if (slash !== '') {
      const closed = stack.pop();
      // a paragraph all of whose text is hidden is hidden itself: its break goes too
      if (closed !== undefined && closed.paragraph === closed && closed.look.hidden && !closed.shown) drop(at, pos);
    } else if (!empty) {
      const paragraph = name === 'text:p' || name === 'text:h';
      const outer = paragraph || top === undefined ? paragraphDefault(boxes) : top.look;
      const open: Open = { name, look: lookIn(outer, own, sheet.common, paragraph ? 'paragraph' : 'text', attribute(tag, 'text:style-name'), paragraph), paragraph: top?.paragraph, shown: false };
      if (paragraph) open.paragraph = open;
      stack.push(open);
    }
  }
  out.push(xml.slice(kept));
  return out.join('');
}

function seen(look: OdfLook): boolean {
  if (look.hidden || look.size <= TINY_PT || look.scale <= THIN_SCALE) return false;
  return look.colour === undefined || typeof look.ground !== 'number' || !unseenOn(look.colour, look.ground);
}

/** What the document's styles.xml gives every part: its common styles, and its pages' colour. */
export function readOdfSheet(stylesXml: string): OdfSheet {
  // a page colour, or a background image anywhere (a page's or a paragraph's: the ground is then not known)
  const coloured = /<style:background-image\b[^<>]*xlink:href/.test(stylesXml) || [...stylesXml.matchAll(/<style:page-layout-properties\b[^<>]*>/g)].some(([t]) => {
    const bg = attribute(t, 'fo:background-color');
    return bg !== undefined && bg.trim() !== 'transparent' && bg.trim().toLowerCase() !== '#ffffff';
  });
  const common = readOdfStyles(stylesXml, 'styles');
  return { common, page: coloured ? 'unknown' : WHITE, hides: mayHide(common) };
}

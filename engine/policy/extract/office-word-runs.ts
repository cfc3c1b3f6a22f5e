// Word text as the reader sees it: the part's XML without what Word does not show or what cannot be told
// from the page. Certain: tracked deletions and moves away (gone once the changes are accepted, and in the
// "No Markup" view), field codes (w:instrText: Word shows the field's result), runs formatted hidden
// (w:vanish, w:specVanish), from the run or through its styles. Unseen: a run of 1pt or less (w:sz 2
// half-points), squeezed to 10% width or less (w:w), or in a colour under 1.07:1 contrast with what is
// behind it (its highlight, its shading, its paragraph's shading, else the page). Where the ground cannot be
// told (a table shaded by its style, a text box, a page colour, "auto" colours, a glyph effect) the text
// counts as seen: a reading that drops text the reader does see can be combined with a real hider to
// defeat every reading.
import { BLACK, rgb, unseenOn, WHITE } from './office-colour.js';
import { attribute, nextFinder, withoutElements } from './office-elements.js';
import { type Ground, paragraphShading, readRunProps, resolveRun, shading, tableStyleShaded, type WordRunProps, type WordStyles } from './office-word-styles.js';

/** What a document's parts share: its style sheet, and the page colour document.xml gives (w:background). */
export interface WordSheet {
  readonly styles: WordStyles;
  page: Ground;
}

/**
 * The readings Word's settings leave open, as worlds: bit 0, the hidden mark combined as a toggle (17.7.3)
 * or as plain inheritance; bit 1, theme colours as Office's default theme has them (background1 and light1
 * white, text1 and dark1 black) or unknown. Each world that hides something gives one reading.
 */
const WORLDS = 4;

interface Run {
  readonly start: number;
  /** the content of the run's <w:rPr> */
  props: string;
  /** the run's properties may still come: nothing but <w:rPr> has been seen since its start tag */
  fresh: boolean;
}
interface Table {
  /** a style or table property shades cells: what is behind the text is not known */
  shaded: boolean;
  style: string | undefined;
}
interface Paragraph {
  pStyle: string | undefined;
  /** the style of the table the paragraph is in */
  readonly tStyle: string | undefined;
  shading: Ground | undefined;
  /** the content of the paragraph mark's own properties (w:pPr/w:rPr): a hidden mark joins the paragraph to the next */
  mark: string;
}

// What can hide in a part whose styles hide nothing: a hidden mark, a deletion, a move, a field code, a
// highlight or shading, a size of 2 half-points or less, a width of 10% or less, a light colour (red C0 or
// more and green E0 or more: every colour under 1.07:1 against white is), a light theme colour. Without any,
// nothing is hidden.
const MAY_HIDE = new RegExp([
  '<w:(?:vanish|specVanish|del|moveFrom|instrText|highlight|shd|background)\\b',
  '<w:szC?s?\\b[^<>]*\\sw:val\\s*=\\s*["\']\\s*[0-2](?:\\.\\d*)?\\s*["\']',
  '<w:w\\b[^<>]*\\sw:val\\s*=\\s*["\']\\s*(?:\\d|10)(?:\\.\\d*)?\\s*["\']',
  '<w:color\\b[^<>]*\\sw:val\\s*=\\s*["\']\\s*[c-f][0-9a-f][e-f][0-9a-f]{3}\\s*["\']',
  'w:themeColor\\s*=\\s*["\']\\s*(?:background1|light1)',
].join('|'), 'i');

const STRUCTURE = /<(\/?)w:(p|r|pPr|rPr|tc|tcPr|tbl|tblPr|tblPrEx|txbxContent|background)(?=[\s/>])[^<>]*>/g;

/**
 * The part without every run a reader cannot see, once per world that sees differently (none when
 * nothing is hidden), one at a time so that only one copy of the part is held. Linear: one pass over the
 * tags, property blocks read once each, end tags searched again only once passed.
 */
export function* shownWordXml(xml: string, sheet: WordSheet): Generator<string> {
  if (!sheet.styles.hides && !MAY_HIDE.test(xml)) return;
  let base = xml;
  for (const name of ['w:del', 'w:moveFrom', 'w:instrText']) if (base.includes(`<${name}`)) base = withoutElements(base, name);
  const drops = hiddenRuns(base, sheet);
  if (drops.length === 0) {
    if (base !== xml) yield base;
    return;
  }
  drops.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  // worlds that drop the same runs give the same reading: each is built once
  const distinct = [...Array(WORLDS).keys()].filter((w) => ![...Array(w).keys()].some((v) => drops.every(([, , mask]) => ((mask >> w) & 1) === ((mask >> v) & 1))));
  for (const world of distinct) {
    // a world that drops nothing reads as the full text does
    if (base === xml && !drops.some(([, , mask]) => (mask & (1 << world)) !== 0)) continue;
    const out: string[] = [];
    let pos = 0;
    for (const [start, end, mask] of drops) {
      // a run inside a dropped one (in its text box) went with it
      if ((mask & (1 << world)) === 0 || start < pos) continue;
      out.push(base.slice(pos, start));
      pos = end;
    }
    out.push(base.slice(pos));
    yield out.join('');
  }
}

/** Where the scan is: the open paragraphs, runs, cells and tables, and the text boxes it is in. */
interface Scan {
  readonly sheet: WordSheet;
  readonly drops: [number, number, number][];
  readonly paragraphs: Paragraph[];
  readonly runs: Run[];
  readonly cells: (Ground | undefined)[];
  readonly tables: Table[];
  boxes: number;
  /** the worlds hiding each (properties, paragraph, ground) already resolved: documents repeat a few formats */
  readonly looks: Map<string, number>;
}

/** [start, end, worlds] of each run (or paragraph end) some world does not show. */
function hiddenRuns(xml: string, sheet: WordSheet): [number, number, number][] {
  const scan: Scan = { sheet, drops: [], paragraphs: [], runs: [], cells: [], tables: [], boxes: 0, looks: new Map() };
  const ends = new Map<string, (from: number) => number>();
  const re = new RegExp(STRUCTURE.source, 'g');
  // the content of the property block whose start tag ends at `from`; the scan goes on past its end tag
  const block = (name: string, from: number): string => {
    let find = ends.get(name);
    if (find === undefined) ends.set(name, (find = nextFinder(xml, `</w:${name}>`)));
    const end = find(from);
    re.lastIndex = end < 0 ? xml.length : end;
    return xml.slice(from, end < 0 ? xml.length : end);
  };
  for (let m = re.exec(xml); m !== null; m = re.exec(xml)) {
    const [tag, slash, name = ''] = m;
    const run = scan.runs.at(-1);
    if (run !== undefined && !(slash === '' && name === 'rPr')) run.fresh = false;
    if (slash !== '') closeTag(scan, name, m.index, m.index + tag.length);
    else if (name === 'background') sheet.page = pageColour(tag);
    else if (!tag.endsWith('/>')) openTag(scan, name, m.index, (n) => block(n, m.index + tag.length));
  }
  return scan.drops;
}

function closeTag(scan: Scan, name: string, at: number, after: number): void {
  const { sheet } = scan;
  if (name === 'p') {
    const p = scan.paragraphs.pop();
    const mask = p === undefined || (p.mark === '' && !sheet.styles.hides) ? 0 : cached(scan, `m${p.pStyle ?? ''}\u0000${p.tStyle ?? ''}\u0000${p.mark}`, () => worldsHidingMark(p, sheet.styles));
    if (mask !== 0) scan.drops.push([at, after, mask]);
  } else if (name === 'tc') scan.cells.pop();
  else if (name === 'tbl') scan.tables.pop();
  else if (name === 'txbxContent') scan.boxes = Math.max(0, scan.boxes - 1);
  else if (name === 'r') {
    const run = scan.runs.pop();
    if (run === undefined) return;
    const p = scan.paragraphs.at(-1);
    const behind = ground(scan.cells, scan.tables, scan.boxes, sheet.page);
    const mask = run.props === '' && !sheet.styles.hides ? 0 : cached(scan, `r${p?.pStyle ?? ''}\u0000${p?.tStyle ?? ''}\u0000${String(p?.shading)}\u0000${String(behind)}\u0000${run.props}`, () => worldsHiding(run, p, behind, sheet.styles));
    if (mask !== 0) scan.drops.push([run.start, after, mask]);
  }
}

/** A start tag that holds content; `block` reads a property element's content and moves the scan past it. */
function openTag(scan: Scan, name: string, at: number, block: (name: string) => string): void {
  switch (name) {
    case 'p':
      scan.paragraphs.push({ pStyle: undefined, tStyle: scan.tables.at(-1)?.style, shading: undefined, mark: '' });
      break;
    case 'r':
      scan.runs.push({ start: at, props: '', fresh: true });
      break;
    case 'rPr': {
      const body = block('rPr');
      const run = scan.runs.at(-1);
      if (run?.fresh === true) run.props = body;
      break;
    }
    case 'pPr': {
      const body = block('pPr');
      const p = scan.paragraphs.at(-1);
      if (p !== undefined) readParagraphProps(p, body.includes('<w:pPrChange') ? withoutElements(body, 'w:pPrChange') : body);
      break;
    }
    case 'tc':
      scan.cells.push(undefined);
      break;
    case 'tcPr': {
      const shd = /<w:shd\b[^<>]*>/.exec(withoutElements(block('tcPr'), 'w:tcPrChange'))?.[0];
      if (scan.cells.length > 0) scan.cells[scan.cells.length - 1] = shd === undefined ? undefined : shading(shd);
      break;
    }
    case 'tbl':
      scan.tables.push({ shaded: false, style: undefined });
      break;
    case 'tblPr':
    case 'tblPrEx': {
      const body = block(name);
      const table = scan.tables.at(-1);
      if (table === undefined) break;
      const shd = /<w:shd\b[^<>]*>/.exec(body)?.[0];
      const style = styleName(/<w:tblStyle\b[^<>]*>/.exec(body)?.[0]);
      if (name === 'tblPr') table.style = style;
      if (tableStyleShaded(scan.sheet.styles, style) || (shd !== undefined && shading(shd) !== 'none')) table.shaded = true;
      break;
    }
    case 'txbxContent':
      scan.boxes++;
      break;
  }
}

/** A paragraph's style and shading, and its mark's own run properties (w:pPr/w:rPr, not its runs'). */
function readParagraphProps(p: Paragraph, all: string): void {
  const markAt = all.indexOf('<w:rPr>');
  const markEnd = markAt < 0 ? -1 : all.indexOf('</w:rPr>', markAt);
  if (markAt >= 0) p.mark = all.slice(markAt + 7, markEnd < 0 ? all.length : markEnd);
  const body = markAt < 0 ? all : withoutElements(all, 'w:rPr');
  p.pStyle = styleName(/<w:pStyle\b[^<>]*>/.exec(body)?.[0]);
  const shd = /<w:shd\b[^<>]*>/.exec(body)?.[0];
  p.shading = shd === undefined ? undefined : shading(shd);
}

function cached(scan: Scan, key: string, resolve: () => number): number {
  let mask = scan.looks.get(key);
  if (mask === undefined) {
    if (scan.looks.size >= MAX_CACHED) scan.looks.clear();
    scan.looks.set(key, (mask = resolve()));
  }
  return mask;
}

/** A run's own properties and character style from its <w:rPr> content (a tracked change's former ones left out). */
function ownProps(body: string): [WordRunProps, string | undefined] {
  const current = body.includes('<w:rPrChange') ? withoutElements(body, 'w:rPrChange') : body;
  return [readRunProps(current), styleName(/<w:rStyle\b[^<>]*>/.exec(current)?.[0])];
}

// distinct run formats kept resolved; a part with more starts over
const MAX_CACHED = 4096;

const styleName = (tag: string | undefined): string | undefined => (tag === undefined ? undefined : attribute(tag, 'w:val'));

/** The page colour a <w:background> sets: white or none is the page Word shows anyway. */
function pageColour(tag: string): Ground {
  if (attribute(tag, 'w:themeColor') !== undefined) return 'unknown';
  const c = rgb(attribute(tag, 'w:color'));
  return c === undefined ? 'none' : c === WHITE ? 'none' : 'unknown';
}

/** What lies behind a run's paragraph: the innermost cell's shading, else the table's, else a text box, else the page. */
function ground(cells: readonly (Ground | undefined)[], tables: readonly Table[], boxes: number, page: Ground): Ground {
  const cell = cells.at(-1);
  if (cell !== undefined && cell !== 'none') return cell;
  if (tables.at(-1)?.shaded === true || boxes > 0) return 'unknown';
  return page === 'none' ? WHITE : page;
}

/** The worlds (bit per world) in which a run cannot be seen. */
function worldsHiding(run: Run, paragraph: Paragraph | undefined, behind: Ground, sheet: WordStyles): number {
  const [own, rStyle] = ownProps(run.props);
  let mask = 0;
  for (const toggle of [false, true]) {
    const look = resolveRun(sheet, own, rStyle, paragraph?.pStyle, paragraph?.tStyle, toggle);
    const gone = look.vanish === true || tiny(look);
    for (const defaultTheme of [false, true]) {
      if (gone || unseen(look, paragraph, behind, sheet, defaultTheme)) mask |= 1 << ((toggle ? 1 : 0) | (defaultTheme ? 2 : 0));
    }
  }
  return mask;
}

/** The worlds in which a paragraph's mark is hidden: Word then runs the paragraph on into the next. */
function worldsHidingMark(p: Paragraph, sheet: WordStyles): number {
  const [own, rStyle] = ownProps(p.mark);
  let mask = 0;
  for (const toggle of [false, true]) {
    if (resolveRun(sheet, own, rStyle, p.pStyle, p.tStyle, toggle).vanish === true) mask |= toggle ? 0b1010 : 0b0101;
  }
  return mask;
}

// 1pt and less (w:sz counts half-points): a speck, not a character; 10% width and less: a hairline
const TINY_SIZE = 2;
const THIN_SCALE = 10;

function tiny(look: WordRunProps): boolean {
  const size = look.complex === true ? look.sizeCs : look.size;
  return (size !== undefined && size <= TINY_SIZE) || (look.scale !== undefined && look.scale <= THIN_SCALE);
}

const THEME_LIGHT = new Set(['background1', 'light1']);
const THEME_DARK = new Set(['text1', 'dark1']);

function unseen(look: WordRunProps, paragraph: Paragraph | undefined, behind: Ground, sheet: WordStyles, defaultTheme: boolean): boolean {
  if (look.effects === true || look.colour === undefined) return false;
  const { theme } = look.colour;
  const colour = theme === undefined ? look.colour.rgb : !defaultTheme ? undefined : THEME_LIGHT.has(theme) ? WHITE : THEME_DARK.has(theme) ? BLACK : undefined;
  if (colour === undefined) return false;
  const layers: (Ground | undefined)[] = [look.highlight, look.shading, paragraph?.shading ?? paragraphShading(sheet, paragraph?.pStyle), behind];
  const onTop = layers.find((g) => g !== undefined && g !== 'none');
  return typeof onTop === 'number' && unseenOn(colour, onTop);
}

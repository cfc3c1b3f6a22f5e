// Word's style sheet (word/styles.xml) as far as it decides whether a run can be seen: the document
// defaults (w:docDefaults), and each paragraph, character and table style with its w:basedOn parent.
// What a run looks like is resolved from its own properties over its character style over its paragraph
// style over the defaults (ECMA-376 17.7.2); the hidden mark (w:vanish) is a toggle property (17.7.3), on
// which Word's behaviour and the standard's text leave room, so it is resolved both ways (see resolveRun).
import { HIGHLIGHTS, rgb, unseenOn, WHITE } from './office-colour.js';
import { attribute, isOn, withoutElements } from './office-elements.js';

/** What lies behind text: a colour, nothing set at this level, or something the reading cannot tell. */
export type Ground = number | 'none' | 'unknown';

/** A text colour: an RGB value, a theme colour (w:themeColor, which wins over w:val), or "auto". */
export interface WordColour {
  readonly rgb?: number;
  readonly theme?: string;
}

/** What one level of the style hierarchy says of a run; a property it does not set is undefined. */
export interface WordRunProps {
  vanish?: boolean;
  /** w:sz, in half-points */
  size?: number;
  /** w:szCs, in half-points, for complex-script text */
  sizeCs?: number;
  /** w:w, the character width in percent */
  scale?: number;
  colour?: WordColour;
  highlight?: Ground;
  shading?: Ground;
  /** outline, shadow, emboss, imprint or a w14 text effect: the glyphs show on any ground */
  effects?: boolean;
  /** w:rtl or w:cs: the run is sized by w:szCs */
  complex?: boolean;
}

interface WordStyle {
  readonly type: string;
  readonly basedOn: string | undefined;
  readonly run: WordRunProps;
  readonly paragraphShading: Ground | undefined;
  /** a table style that shades any cell: white text in its tables may be on a dark cell */
  readonly shaded: boolean;
}

export interface WordStyles {
  readonly defaults: WordRunProps;
  readonly styles: ReadonlyMap<string, WordStyle>;
  readonly defaultParagraph: string | undefined;
  readonly defaultCharacter: string | undefined;
  /** some style or the defaults set what can hide a run: a run without properties of its own is then resolved */
  readonly hides: boolean;
}

export const NO_WORD_STYLES: WordStyles = { defaults: {}, styles: new Map(), defaultParagraph: undefined, defaultCharacter: undefined, hides: false };

// A colour can only be unseen without a highlight or shading set somewhere if it is unseen on a white page.
const light = (c: WordColour | undefined): boolean =>
  c !== undefined && (c.theme === undefined ? c.rgb !== undefined && unseenOn(c.rgb, WHITE) : /^(?:background1|light1)$/.test(c.theme));
const mayHide = (p: WordRunProps): boolean =>
  p.vanish === true || (p.size ?? 99) <= 2 || (p.sizeCs ?? 99) <= 2 || (p.scale ?? 100) <= 10 || light(p.colour) || p.highlight !== undefined || p.shading !== undefined;

// Word keeps at most 4,079 styles in a document; a sheet with more is not Word's, and the rest are not read.
const MAX_STYLES = 4096;
// a basedOn chain longer than this is a loop (Word's own chains are a few levels deep)
const MAX_CHAIN = 32;

const RUN_PROPERTY = /<(w:(?:vanish|specVanish|sz|szCs|w|color|highlight|shd|outline|shadow|emboss|imprint|rtl|cs)|w14:[A-Za-z]+)(?=[\s/>])([^<>]*)>/g;

/** The properties an <w:rPr> sets, from its content (a tracked change's former properties left out). */
export function readRunProps(body: string): WordRunProps {
  const props: WordRunProps = {};
  const current = body.includes('<w:rPrChange') ? withoutElements(body, 'w:rPrChange') : body;
  for (const [, name = '', tag = ''] of current.matchAll(RUN_PROPERTY)) {
    const val = attribute(tag, 'w:val');
    switch (name) {
      case 'w:vanish':
      case 'w:specVanish':
        props.vanish = props.vanish === true || isOn(val);
        break;
      case 'w:sz':
        props.size = number(val);
        break;
      case 'w:szCs':
        props.sizeCs = number(val);
        break;
      case 'w:w':
        props.scale = number(val);
        break;
      case 'w:color':
        props.colour = { rgb: rgb(val), theme: attribute(tag, 'w:themeColor') };
        break;
      case 'w:highlight':
        props.highlight = val === 'none' ? 'none' : (HIGHLIGHTS.get(val ?? '') ?? 'unknown');
        break;
      case 'w:shd':
        props.shading = shading(tag);
        break;
      case 'w:rtl':
      case 'w:cs':
        props.complex = props.complex === true || isOn(val);
        break;
      default:
        // w:outline, w:shadow, w:emboss, w:imprint and every w14 effect (text fill, outline, glow, shadow)
        props.effects = props.effects === true || name.startsWith('w14:') || isOn(val);
    }
  }
  return props;
}

const number = (v: string | undefined): number | undefined => {
  const n = v === undefined ? Number.NaN : Number.parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
};

/** A <w:shd> as a ground: "clear" shows its fill, "solid" its pattern colour; any other pattern mixes both. */
export function shading(tag: string): Ground {
  const pattern = attribute(tag, 'w:val') ?? 'clear';
  if (pattern === 'nil') return 'none';
  if (attribute(tag, 'w:themeFill') !== undefined) return 'unknown';
  const colour = pattern === 'clear' ? attribute(tag, 'w:fill') : pattern === 'solid' ? attribute(tag, 'w:color') : undefined;
  if (colour === undefined) return pattern === 'clear' ? 'none' : 'unknown';
  if (/^\s*auto\s*$/i.test(colour)) return pattern === 'clear' ? 'none' : 'unknown';
  return rgb(colour) ?? 'unknown';
}

/** A part's first <name>…</name> (or <name/>) in `xml`: its content, or undefined. */
function firstElement(xml: string, name: 'w:rPr' | 'w:pPr'): string | undefined {
  const at = xml.search(name === 'w:rPr' ? /<w:rPr(?=[\s/>])/ : /<w:pPr(?=[\s/>])/);
  if (at < 0) return undefined;
  const gt = xml.indexOf('>', at);
  if (gt < 0 || xml.charCodeAt(gt - 1) === 0x2f) return '';
  const end = xml.indexOf(`</${name}>`, gt);
  return xml.slice(gt + 1, end < 0 ? xml.length : end);
}

/** The style sheet's defaults and styles. One pass over the styles; each style's text is read a few times. */
export function readWordStyles(xml: string): WordStyles {
  const defaultsAt = xml.indexOf('<w:rPrDefault');
  const defaultsEnd = defaultsAt < 0 ? -1 : xml.indexOf('</w:rPrDefault>', defaultsAt);
  const defaultsRun = defaultsAt < 0 ? undefined : firstElement(xml.slice(defaultsAt, defaultsEnd < 0 ? xml.length : defaultsEnd), 'w:rPr');
  const styles = new Map<string, WordStyle>();
  let defaultParagraph: string | undefined;
  let defaultCharacter: string | undefined;
  let close = -2;
  for (let at = styleAt(xml, 0), next: number; at >= 0 && styles.size < MAX_STYLES; at = next) {
    const gt = xml.indexOf('>', at);
    if (gt < 0) break;
    next = styleAt(xml, gt);
    if (close !== -1 && close < gt) close = xml.indexOf('</w:style>', gt);
    // up to its end tag or the next style, whichever comes first: every character is read a few times
    const body = xml.slice(gt + 1, Math.min(close < 0 ? xml.length : close, next < 0 ? xml.length : next));
    const tag = xml.slice(at, gt + 1);
    const id = attribute(tag, 'w:styleId');
    if (id === undefined || styles.has(id)) continue;
    const type = attribute(tag, 'w:type') ?? 'paragraph';
    if (attribute(tag, 'w:default') !== undefined && isOn(attribute(tag, 'w:default'))) {
      if (type === 'paragraph') defaultParagraph ??= id;
      if (type === 'character') defaultCharacter ??= id;
    }
    // conditional table formatting (w:tblStylePr) is not the style's own run or paragraph formatting
    const own = body.includes('<w:tblStylePr') ? withoutElements(body, 'w:tblStylePr') : body;
    const basedOn = /<w:basedOn\b([^<>]*)>/.exec(own)?.[1];
    const run = firstElement(own.includes('<w:pPr') ? withoutElements(own, 'w:pPr') : own, 'w:rPr');
    const paragraph = firstElement(own, 'w:pPr');
    const paragraphShd = paragraph === undefined ? undefined : /<w:shd\b[^<>]*>/.exec(withoutElements(paragraph, 'w:rPr'))?.[0];
    styles.set(id, {
      type,
      basedOn: basedOn === undefined ? undefined : attribute(basedOn, 'w:val'),
      run: run === undefined ? {} : readRunProps(run),
      paragraphShading: paragraphShd === undefined ? undefined : shading(paragraphShd),
      shaded: [...body.matchAll(/<w:shd\b[^<>]*>/g)].some(([t]) => shading(t) !== 'none'),
    });
  }
  const defaults = defaultsRun === undefined ? {} : readRunProps(defaultsRun);
  const hides = mayHide(defaults) || [...styles.values()].some((s) => mayHide(s.run) || (s.paragraphShading !== undefined && s.paragraphShading !== 'none'));
  return { defaults, styles, defaultParagraph, defaultCharacter, hides };
}

/** The next <w:style …> (not <w:styles>) at or after p, or -1. */
function styleAt(xml: string, p: number): number {
  for (;;) {
    const at = xml.indexOf('<w:style', p);
    if (at < 0) return -1;
    const c = xml.charCodeAt(at + 8);
    if (c === 0x20 || c === 0x3e || c === 0x09 || c === 0x0a || c === 0x0d) return at;
    p = at + 8;
  }
}

/** The first value of `key` along a style's basedOn chain (only styles of `type`), or undefined. */
function chained<K extends keyof WordRunProps>(sheet: WordStyles, id: string | undefined, type: string, key: K): WordRunProps[K] {
  for (let i = 0, s = id; s !== undefined && i < MAX_CHAIN; i++) {
    const style = sheet.styles.get(s);
    if (style === undefined || style.type !== type) return undefined;
    if (style.run[key] !== undefined) return style.run[key];
    s = style.basedOn;
  }
  return undefined;
}

/** A paragraph style's shading along its basedOn chain. */
export function paragraphShading(sheet: WordStyles, id: string | undefined): Ground | undefined {
  for (let i = 0, s = id !== undefined && sheet.styles.has(id) ? id : sheet.defaultParagraph; s !== undefined && i < MAX_CHAIN; i++) {
    const style = sheet.styles.get(s);
    if (style === undefined || style.type !== 'paragraph') return undefined;
    if (style.paragraphShading !== undefined) return style.paragraphShading;
    s = style.basedOn;
  }
  return undefined;
}

export const tableStyleShaded = (sheet: WordStyles, id: string | undefined): boolean => {
  for (let i = 0, s = id; s !== undefined && i < MAX_CHAIN; i++) {
    const style = sheet.styles.get(s);
    if (style === undefined) return false;
    if (style.shaded) return true;
    s = style.basedOn;
  }
  return false;
};

/**
 * A run's look: each property from the run itself, else its character style (w:rStyle, or the default
 * character style), else its paragraph's style (w:pStyle, or the default paragraph style, also for a name
 * the sheet does not define), else its table's style (w:tblStyle), else the document defaults (ECMA-376
 * 17.7.2). The hidden mark is a toggle: with `toggle`, as 17.7.3 reads — a run's own value is absolute, and
 * otherwise the first value each level's basedOn chain gives is combined by exclusive or (a paragraph style
 * and a character style that both hide show the text; a level's "false" changes nothing) — and without it,
 * as other properties are (the nearest level that sets it wins).
 */
export function resolveRun(sheet: WordStyles, own: WordRunProps, rStyle: string | undefined, pStyle: string | undefined, tStyle: string | undefined, toggle: boolean): WordRunProps {
  const character = rStyle !== undefined && sheet.styles.has(rStyle) ? rStyle : sheet.defaultCharacter;
  const paragraph = pStyle !== undefined && sheet.styles.has(pStyle) ? pStyle : sheet.defaultParagraph;
  const levels = <K extends keyof WordRunProps>(key: K): WordRunProps[K][] => [chained(sheet, character, 'character', key), chained(sheet, paragraph, 'paragraph', key), chained(sheet, tStyle, 'table', key), sheet.defaults[key]];
  const pick = <K extends keyof WordRunProps>(key: K): WordRunProps[K] => own[key] ?? levels(key).find((v) => v !== undefined);
  const vanish = own.vanish ?? (toggle ? levels('vanish').filter((v) => v === true).length % 2 === 1 : levels('vanish').find((v) => v !== undefined));
  return {
    vanish,
    size: pick('size'),
    sizeCs: pick('sizeCs'),
    scale: pick('scale'),
    colour: pick('colour'),
    highlight: pick('highlight'),
    shading: pick('shading'),
    effects: pick('effects'),
    complex: pick('complex'),
  };
}

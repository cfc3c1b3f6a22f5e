// OpenDocument styles as far as they decide whether text can be seen: each style's text:display, font
// size, colour and background, along its style:parent-style-name chain. A part's automatic styles
// (office:automatic-styles) are its own; common styles (office:styles, in styles.xml) are the document's,
// and an automatic style's parent is one of them. OpenDocument has no toggles: the nearest setting wins.
import { rgb, unseenOn, WHITE } from './office-colour.js';
import { attribute, nextFinder } from './office-elements.js';
import type { Ground } from './office-word-styles.js';

interface OdfStyle {
  readonly parent: string | undefined;
  /** text:display: true hides ("none"), false shows ("true", "condition") */
  readonly display: boolean | undefined;
  readonly size: { readonly pt: number } | { readonly percent: number } | undefined;
  /** style:text-scale, the character width in percent */
  readonly scale: number | undefined;
  /** fo:color; 'auto' for style:use-window-font-color */
  readonly colour: number | 'auto' | undefined;
  /** fo:background-color of the text (a highlight) */
  readonly textGround: Ground | undefined;
  /** fo:background-color of the paragraph */
  readonly paragraphGround: Ground | undefined;
  /** an outline, shadow or relief: the glyphs show on any ground */
  readonly effects: boolean;
}

/** Styles by family and name ("text\0T1"); a family's default style under the empty name. */
export type OdfStyleMap = ReadonlyMap<string, OdfStyle>;

/** What a document's parts share: styles.xml's common styles, and whether its pages have a colour. */
export interface OdfSheet {
  readonly common: OdfStyleMap;
  readonly page: Ground;
  /** some common style can make text unseen (mayHide) */
  readonly hides: boolean;
}

export const NO_ODF_SHEET: OdfSheet = { common: new Map(), page: WHITE, hides: false };

const MAX_STYLES = 4096;
const MAX_CHAIN = 32;

/** The styles between `<office:${section}` and its end tag (common or automatic ones). */
export function readOdfStyles(xml: string, section: 'styles' | 'automatic-styles'): OdfStyleMap {
  const styles = new Map<string, OdfStyle>();
  const from = xml.indexOf(`<office:${section}`);
  if (from < 0) return styles;
  const to = xml.indexOf(`</office:${section}>`, from);
  const part = xml.slice(from, to < 0 ? xml.length : to);
  const endStyle = nextFinder(part, '</style:style>');
  const endDefault = nextFinder(part, '</style:default-style>');
  const starts = [...part.matchAll(/<style:(style|default-style)(?=[\s/>])[^<>]*>/g)];
  for (const [i, m] of starts.entries()) {
    if (styles.size >= MAX_STYLES) break;
    const [tag, kind] = m;
    const after = m.index + tag.length;
    const next = starts[i + 1]?.index ?? part.length;
    const end = tag.endsWith('/>') ? after : (kind === 'style' ? endStyle : endDefault)(after);
    const body = part.slice(after, Math.min(next, end < 0 ? part.length : end));
    const family = attribute(tag, 'style:family') ?? '';
    const name = kind === 'style' ? attribute(tag, 'style:name') : '';
    if (name === undefined || styles.has(`${family}\0${name}`)) continue;
    styles.set(`${family}\0${name}`, readStyle(tag, body));
  }
  return styles;
}

function readStyle(tag: string, body: string): OdfStyle {
  const text = /<style:text-properties\b[^<>]*>/.exec(body)?.[0] ?? '';
  const paragraph = /<style:paragraph-properties\b[^<>]*>/.exec(body)?.[0] ?? '';
  const display = attribute(text, 'text:display');
  const relief = attribute(text, 'style:font-relief');
  const shadow = attribute(text, 'fo:text-shadow');
  return {
    parent: attribute(tag, 'style:parent-style-name'),
    display: display === undefined ? undefined : display.trim() === 'none',
    size: fontSize(attribute(text, 'fo:font-size')),
    scale: percent(attribute(text, 'style:text-scale')),
    colour: attribute(text, 'style:use-window-font-color') === 'true' ? 'auto' : rgb(attribute(text, 'fo:color')),
    textGround: background(attribute(text, 'fo:background-color')),
    paragraphGround: /<style:background-image\b[^<>]*xlink:href/.test(body) ? 'unknown' : background(attribute(paragraph, 'fo:background-color')),
    effects: attribute(text, 'style:text-outline') === 'true' || (relief !== undefined && relief !== 'none') || (shadow !== undefined && shadow !== 'none'),
  };
}

const LENGTH_IN_PT: Readonly<Record<string, number>> = { pt: 1, px: 0.75, pc: 12, in: 72, cm: 72 / 2.54, mm: 72 / 25.4 };

function fontSize(value: string | undefined): OdfStyle['size'] {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(pt|px|pc|in|cm|mm|%)\s*$/.exec(value ?? '');
  if (m === null) return undefined;
  const n = Number(m[1]);
  return m[2] === '%' ? { percent: n } : { pt: n * (LENGTH_IN_PT[m[2] ?? 'pt'] ?? 1) };
}

function percent(value: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value ?? '');
  return m === null ? undefined : Number(m[1]);
}

function background(value: string | undefined): Ground | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'transparent') return 'none';
  return rgb(value) ?? 'unknown';
}

/**
 * Some style can make text unseen: it hides, shrinks (1pt or less, or any percentage under 100), sets a
 * background, or a colour unseen on a white page.
 */
export function mayHide(styles: OdfStyleMap): boolean {
  for (const s of styles.values()) {
    if (s.display === true || s.textGround !== undefined || s.paragraphGround !== undefined) return true;
    if (s.size !== undefined && ('pt' in s.size ? s.size.pt <= 1 : s.size.percent < 100)) return true;
    if (s.scale !== undefined && s.scale <= 10) return true;
    if (typeof s.colour === 'number' && unseenOn(s.colour, WHITE)) return true;
  }
  return false;
}

/** How text looks at some depth of a paragraph: hidden, its size in points, colour and ground. */
export interface OdfLook {
  readonly hidden: boolean;
  readonly size: number;
  /** the character width in percent */
  readonly scale: number;
  readonly colour: number | undefined;
  readonly ground: Ground;
}

/** The look of text in the style `name` of `family`, inside text that looks like `outer`. */
export function lookIn(outer: OdfLook, own: OdfStyleMap, common: OdfStyleMap, family: string, name: string | undefined, paragraph: boolean): OdfLook {
  let hidden: boolean | undefined;
  let colour: number | 'auto' | undefined;
  let textGround: Ground | undefined;
  let paragraphGround: Ground | undefined;
  let pt: number | undefined;
  let scale: number | undefined;
  let factor = 1;
  let style = name === undefined ? undefined : (own.get(`${family}\0${name}`) ?? common.get(`${family}\0${name}`));
  for (let i = 0; style !== undefined && i < MAX_CHAIN; i++) {
    hidden ??= style.display;
    scale ??= style.scale;
    colour ??= style.effects ? 'auto' : style.colour;
    textGround ??= style.textGround;
    paragraphGround ??= style.paragraphGround;
    if (pt === undefined && style.size !== undefined) {
      if ('pt' in style.size) pt = style.size.pt;
      else factor *= style.size.percent / 100;
    }
    // an automatic style's parent is a common style
    style = style.parent === undefined ? undefined : common.get(`${family}\0${style.parent}`);
  }
  const ground = [textGround, paragraph ? paragraphGround : undefined].find((g) => g !== undefined && g !== 'none');
  return {
    hidden: hidden ?? outer.hidden,
    size: (pt ?? outer.size) * factor,
    scale: scale ?? outer.scale,
    colour: colour === 'auto' ? undefined : (colour ?? outer.colour),
    ground: ground ?? outer.ground,
  };
}

// Which HTML elements set a text direction, as the control characters that would set it in plain text
// (markup-text.ts lays the marked text out with bidi-text.ts). <style> rules are matched as
// hidden-elements.ts matches hiding rules: by each rule's last compound selector, no cascade.
import { decodeCssEscapes } from './css-text.js';
import { cssDeclarations, HidingRules } from './hidden-elements.js';

export const RLO = '\u202e';
export const LRO = '\u202d';
export const RLI = '\u2067';
export const LRI = '\u2066';
export const FSI = '\u2068';
/** What closes an embedding or override (PDF) and an isolate (PDI). */
export const closerOf = (marker: string): string => (marker === RLI || marker === LRI || marker === FSI ? '\u2069' : '\u202c');

/** A document that may lay text out right to left (raw markup; a reference or CSS escape in `rtl` is not seen). */
const RTL_MARKUP = /\bdir\s*=\s*["']?\s*rtl|<bdo\b|direction\s*:\s*rtl|-override/i;
const DIR_ATTRIBUTE = /(?:^|[\s"'/])dir\s*=\s*["']?\s*(rtl|ltr|auto)/i;

/** The direction a declaration block gives its element: an override or isolate marker, or ''. */
export function cssBidi(css: string): string {
  if (!/direction|unicode-bidi/i.test(css)) return '';
  const d = cssDeclarations(css.includes('\\') ? decodeCssEscapes(css) : css);
  const direction = d.get('direction') ?? '';
  const bidi = d.get('unicode-bidi') ?? '';
  if (bidi === 'bidi-override' || bidi === 'isolate-override') return direction === 'rtl' ? RLO : direction === 'ltr' ? LRO : '';
  if (bidi === 'plaintext') return FSI;
  // direction alone moves an inline element's text only with unicode-bidi set; read as an isolate
  // anyway (a block's paragraphs take it): an extra reading costs little, a missed one a card
  return direction === 'rtl' ? RLI : direction === 'ltr' ? LRI : '';
}

/** Which elements of one document set a direction; undefined for a document with nothing right to left. */
export class MarkupBidi {
  readonly #rtl: HidingRules | undefined;
  readonly #override: HidingRules | undefined;

  /** `sheets`: the document's style sheets (styleSheets). */
  static of(html: string, sheets: readonly string[]): MarkupBidi | undefined {
    return RTL_MARKUP.test(html) ? new MarkupBidi(sheets) : undefined;
  }

  private constructor(sheets: readonly string[]) {
    this.#override = sheets.length === 0 ? undefined : new HidingRules(sheets, (b) => cssBidi(b) === RLO);
    this.#rtl = sheets.length === 0 ? undefined : new HidingRules(sheets, (b) => cssBidi(b) === RLI);
  }

  /** The control character an element's start stands for ('' for none). */
  marker(tag: string, attrs: string, style: string | undefined, classes: string | undefined, id: string | undefined): string {
    const dir = attrs.length >= 5 ? DIR_ATTRIBUTE.exec(attrs)?.[1]?.toLowerCase() : undefined;
    const css = style === undefined ? '' : cssBidi(style);
    if (css === RLO || css === LRO) return css;
    const lowerClasses = classes?.toLowerCase();
    const lowerId = id?.toLowerCase();
    if (this.#override?.matches(tag, lowerClasses, lowerId) === true) return RLO;
    if (tag === 'bdo') return dir === 'rtl' ? RLO : dir === 'ltr' ? LRO : '';
    if (css !== '') return css;
    if (dir === 'rtl') return RLI;
    if (dir === 'ltr') return LRI;
    if (dir === 'auto' || tag === 'bdi') return FSI;
    return this.#rtl?.matches(tag, lowerClasses, lowerId) === true ? RLI : '';
  }
}

// CSS colours as RGBA, for the text as shown (shown-text.ts): text painted in the colour of what is behind it
// is not seen. Hex, rgb()/rgba(), hsl()/hsla(), `transparent` and the named colours; any other colour syntax
// (lab(), color-mix() …) is undefined: read as visible.

export interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  /** 0 (transparent) to 1. */
  readonly a: number;
}

export const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };
export const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 1 };

// CSS Color 4 §6.1, name then six hex digits
const NAMED_TEXT =
  'aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc bisque ffe4c4 black 000000 blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00 chocolate d2691e coral ff7f50 cornflowerblue 6495ed cornsilk fff8dc crimson dc143c cyan 00ffff darkblue 00008b darkcyan 008b8b darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkgrey a9a9a9 darkkhaki bdb76b darkmagenta 8b008b darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred 8b0000 darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f darkslategrey 2f4f4f darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff dimgray 696969 dimgrey 696969 dodgerblue 1e90ff firebrick b22222 floralwhite fffaf0 forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc ghostwhite f8f8ff gold ffd700 goldenrod daa520 gray 808080 green 008000 greenyellow adff2f grey 808080 honeydew f0fff0 hotpink ff69b4 indianred cd5c5c indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa lavenderblush fff0f5 lawngreen 7cfc00 lemonchiffon fffacd lightblue add8e6 lightcoral f08080 lightcyan e0ffff lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90 lightgrey d3d3d3 lightpink ffb6c1 lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa lightslategray 778899 lightslategrey 778899 lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00 limegreen 32cd32 linen faf0e6 magenta ff00ff maroon 800000 mediumaquamarine 66cdaa mediumblue 0000cd mediumorchid ba55d3 mediumpurple 9370db mediumseagreen 3cb371 mediumslateblue 7b68ee mediumspringgreen 00fa9a mediumturquoise 48d1cc mediumvioletred c71585 midnightblue 191970 mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5 navajowhite ffdead navy 000080 oldlace fdf5e6 olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500 orchid da70d6 palegoldenrod eee8aa palegreen 98fb98 paleturquoise afeeee palevioletred db7093 papayawhip ffefd5 peachpuff ffdab9 peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6 purple 800080 rebeccapurple 663399 red ff0000 rosybrown bc8f8f royalblue 4169e1 saddlebrown 8b4513 salmon fa8072 sandybrown f4a460 seagreen 2e8b57 seashell fff5ee sienna a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd slategray 708090 slategrey 708090 snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c teal 008080 thistle d8bfd8 tomato ff6347 turquoise 40e0d0 violet ee82ee wheat f5deb3 white ffffff whitesmoke f5f5f5 yellow ffff00 yellowgreen 9acd32';
const NAMED: ReadonlyMap<string, string> = (() => {
  const words = NAMED_TEXT.split(' ');
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < words.length; i += 2) m.set(words[i] as string, words[i + 1] as string);
  return m;
})();

function hex(h: string): Rgba | undefined {
  if (!/^[0-9a-f]+$/.test(h)) return undefined;
  const d = (s: string): number => parseInt(s, 16);
  if (h.length === 3 || h.length === 4) {
    const [r, g, b, a] = [...h].map((c) => d(c + c));
    return { r: r as number, g: g as number, b: b as number, a: a === undefined ? 1 : a / 255 };
  }
  if (h.length === 6 || h.length === 8) return { r: d(h.slice(0, 2)), g: d(h.slice(2, 4)), b: d(h.slice(4, 6)), a: h.length === 8 ? d(h.slice(6, 8)) / 255 : 1 };
  return undefined;
}

/** A component: a number, a percentage of `full`, or `none` (0). */
function component(s: string, full: number): number | undefined {
  if (s === 'none') return 0;
  const m = /^(-?\d*\.?\d+(?:e-?\d+)?)(%|deg|turn|rad|grad)?$/.exec(s);
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (m[2] === '%') return (n / 100) * full;
  if (m[2] === 'turn') return n * 360;
  if (m[2] === 'rad') return (n * 180) / Math.PI;
  if (m[2] === 'grad') return n * 0.9;
  return n;
}

const clamp = (n: number, hi: number): number => Math.min(hi, Math.max(0, n));

/** A colour value (lower-cased), or undefined when it is not one this reads. `currentcolor` is the caller's. */
export function parseColour(value: string): Rgba | undefined {
  const v = value.trim();
  if (v.startsWith('#')) return hex(v.slice(1));
  if (v === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  const named = NAMED.get(v);
  if (named !== undefined) return hex(named);
  const fn = /^(rgba?|hsla?)\(\s*([^)]*)\)$/.exec(v);
  if (fn === null) return undefined;
  const parts = (fn[2] as string).replace(/\s*\/\s*/, ' / ').split(/\s*,\s*|\s+/).filter((p) => p !== '' && p !== '/');
  if (parts.length < 3 || parts.length > 4) return undefined;
  const alpha = parts[3] === undefined ? 1 : component(parts[3], 1);
  if (alpha === undefined) return undefined;
  if ((fn[1] as string).startsWith('rgb')) {
    const [r, g, b] = parts.slice(0, 3).map((p) => component(p, 255));
    if (r === undefined || g === undefined || b === undefined) return undefined;
    return { r: clamp(r, 255), g: clamp(g, 255), b: clamp(b, 255), a: clamp(alpha, 1) };
  }
  const h = component(parts[0] as string, 360);
  const s = component((parts[1] as string).endsWith('%') ? (parts[1] as string) : `${parts[1] as string}%`, 1);
  const l = component((parts[2] as string).endsWith('%') ? (parts[2] as string) : `${parts[2] as string}%`, 1);
  if (h === undefined || s === undefined || l === undefined) return undefined;
  return { ...hslToRgb(((h % 360) + 360) % 360, clamp(s, 1), clamp(l, 1)), a: clamp(alpha, 1) };
}

function hslToRgb(h: number, s: number, l: number): { r: number; g: number; b: number } {
  const k = (n: number): number => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => 255 * (l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1))));
  return { r: f(0), g: f(8), b: f(4) };
}

/** The first colour in a `background` shorthand; undefined when it has an image (what is behind the text is not known). */
export function backgroundColour(value: string): Rgba | undefined | 'image' {
  if (/url\(|gradient\(|image\(|image-set\(/.test(value)) return 'image';
  for (const token of value.match(/#[0-9a-f]+|(?:rgba?|hsla?)\([^)]*\)|[a-z]+/g) ?? []) {
    const c = parseColour(token);
    if (c !== undefined) return c;
  }
  return undefined;
}

/** How far apart two colours are for a reader: the largest channel difference. */
const INVISIBLE_DISTANCE = 12;

/** Whether text in `text` cannot be told from `behind` (fully transparent text, or the same colour within a few steps). */
export function invisibleOn(text: Rgba, behind: Rgba): boolean {
  if (text.a < 0.1) return true;
  if (text.a < 0.9) return false;
  return Math.max(Math.abs(text.r - behind.r), Math.abs(text.g - behind.g), Math.abs(text.b - behind.b)) <= INVISIBLE_DISTANCE;
}

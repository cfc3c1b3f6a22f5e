// CSS colours as RGBA, for the text as shown (shown-text.ts): text painted in the colour of what is behind it
// is not seen. Hex, rgb()/rgba(), hsl()/hsla(), hwb(), lab()/lch()/oklab()/oklch(), color() in the sRGB, linear
// sRGB, Display P3 and XYZ spaces, color-mix(), light-dark(), `transparent`, the named and the system colours
// (CSS Color 4 §6.2, as a light page paints them); any other colour syntax (relative colours …) is undefined: read
// as visible. A colour outside sRGB is clipped to it.

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

// CSS Color 4 §6.2 (and the deprecated ones it maps), light and dark, as Blink paints them
const SYSTEM_TEXT =
  'canvas ffffff 121212 canvastext 000000 ffffff linktext 0000ee 9e9eff visitedtext 551a8b d0adf0 activetext ff0000 ff9e9e buttonface efefef 6b6b6b buttontext 000000 ffffff buttonborder 767676 6b6b6b field ffffff 3b3b3b fieldtext 000000 ffffff highlight b4d5fe 99c8ff highlighttext 000000 000000 selecteditem 0075ff 99c8ff selecteditemtext ffffff 3b3b3b mark ffff00 ffff00 marktext 000000 000000 graytext 6d6d6d 8e8e8e accentcolor 0075ff 99c8ff accentcolortext ffffff 000000';
const SYSTEM: ReadonlyMap<string, readonly [string, string]> = (() => {
  const words = SYSTEM_TEXT.split(' ');
  const m = new Map<string, readonly [string, string]>();
  for (let i = 0; i + 2 < words.length; i += 3) m.set(words[i] as string, [words[i + 1] as string, words[i + 2] as string]);
  const alias = 'activeborder buttonborder activecaption canvas appworkspace canvas background canvas buttonhighlight buttonface buttonshadow buttonface captiontext canvastext inactiveborder buttonborder inactivecaption canvas inactivecaptiontext graytext infobackground canvas infotext canvastext menu canvas menutext canvastext scrollbar canvas threeddarkshadow buttonborder threedface buttonface threedhighlight buttonborder threedlightshadow buttonborder threedshadow buttonborder window canvas windowframe buttonborder windowtext canvastext'.split(' ');
  for (let i = 0; i + 1 < alias.length; i += 2) m.set(alias[i] as string, m.get(alias[i + 1] as string) as readonly [string, string]);
  return m;
})();

/**
 * A colour value (lower-cased), or undefined when it is not one this reads. `currentcolor` is the caller's. `dark`:
 * the page is painted in a dark colour scheme (system colours and light-dark() take their dark value).
 */
export function parseColour(value: string, dark = false, depth = 0): Rgba | undefined {
  const v = value.trim();
  if (v.startsWith('#')) return hex(v.slice(1));
  if (v === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  const named = NAMED.get(v);
  if (named !== undefined) return hex(named);
  const system = SYSTEM.get(v);
  if (system !== undefined) return hex(system[dark ? 1 : 0]);
  if (depth > 4) return undefined;
  const call = /^([a-z-]+)\(([^]*)\)$/.exec(v);
  if (call === null) return undefined;
  const [, name, body] = call as unknown as [string, string, string];
  if (name === 'light-dark') {
    const args = splitArgs(body);
    return args.length === 2 ? parseColour(args[dark ? 1 : 0] as string, dark, depth + 1) : undefined;
  }
  if (name === 'color-mix') return colourMix(body, dark, depth);
  if (body.includes('(') || /\bfrom\b/.test(body)) return undefined;
  if (name === 'hwb' || name === 'lab' || name === 'lch' || name === 'oklab' || name === 'oklch' || name === 'color') return spaceColour(name, body);
  const fn = /^(rgba?|hsla?)$/.test(name) ? [v, name, body] : null;
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

/** `top` painted over the opaque `below` (its alpha mixing the two). */
export function over(top: Rgba, below: Rgba): Rgba {
  const a = top.a;
  return { r: top.r * a + below.r * (1 - a), g: top.g * a + below.g * (1 - a), b: top.b * a + below.b * (1 - a), a: 1 };
}

/**
 * Whether text in `text` cannot be told from `behind`: fully transparent text, or, painted over what is behind it
 * (its alpha, and the `opacity` its element is painted with, mixing it into the background), the same colour
 * within a few steps.
 */
export function invisibleOn(text: Rgba, behind: Rgba, opacity = 1): boolean {
  if (text.a < 0.1) return true;
  const seen = over({ ...text, a: text.a * opacity }, behind);
  return Math.max(Math.abs(seen.r - behind.r), Math.abs(seen.g - behind.g), Math.abs(seen.b - behind.b)) <= INVISIBLE_DISTANCE;
}

/** A function's arguments split at top-level commas (or, for light-dark, its two colours). */
function splitArgs(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(body.slice(from, i).trim());
      from = i + 1;
    }
  }
  out.push(body.slice(from).trim());
  return out;
}

/**
 * color-mix(in <space>, a p%, b q%): mixed exactly in sRGB (and its linear form); in other spaces only where the two
 * colours are all but the same (any mix of them then is too), else undefined.
 */
function colourMix(body: string, dark: boolean, depth: number): Rgba | undefined {
  const [space, ...parts] = splitArgs(body);
  if (space === undefined || parts.length !== 2 || !/^in\s+/.test(space)) return undefined;
  const read = (p: string): { c: Rgba | undefined; pct: number | undefined } => {
    const m = /^([^]*?)\s*(?:(\d*\.?\d+)%)?$/.exec(p.trim());
    const first = /^(\d*\.?\d+)%\s+([^]*)$/.exec(p.trim());
    if (first !== null) return { c: parseColour(first[2] as string, dark, depth + 1), pct: Number(first[1]) };
    return { c: parseColour(m?.[1] ?? '', dark, depth + 1), pct: m?.[2] === undefined ? undefined : Number(m[2]) };
  };
  const a = read(parts[0] as string);
  const b = read(parts[1] as string);
  if (a.c === undefined || b.c === undefined) return undefined;
  let pa = a.pct ?? (b.pct === undefined ? 50 : 100 - b.pct);
  let pb = b.pct ?? 100 - pa;
  const sum = pa + pb;
  if (sum <= 0) return undefined;
  const alphaScale = sum < 100 ? sum / 100 : 1;
  [pa, pb] = [pa / sum, pb / sum];
  const near = Math.max(Math.abs(a.c.r - b.c.r), Math.abs(a.c.g - b.c.g), Math.abs(a.c.b - b.c.b)) <= INVISIBLE_DISTANCE / 2;
  const srgb = /^in\s+srgb\s*$/.test(space);
  if (!srgb && !near) return undefined;
  // premultiplied by alpha, as CSS mixes
  const alpha = a.c.a * pa + b.c.a * pb;
  if (alpha === 0) return { r: 0, g: 0, b: 0, a: 0 };
  const ch = (k: 'r' | 'g' | 'b'): number => ((a.c as Rgba)[k] * (a.c as Rgba).a * pa + (b.c as Rgba)[k] * (b.c as Rgba).a * pb) / alpha;
  return { r: ch('r'), g: ch('g'), b: ch('b'), a: alpha * alphaScale };
}

/** A number, a percentage of `full`, `none`; an angle in degrees. */
function num(s: string | undefined, full: number): number | undefined {
  return s === undefined ? undefined : component(s, full);
}

const gamma = (x: number): number => 255 * clamp(x <= 0.0031308 ? 12.92 * x : 1.055 * Math.pow(x, 1 / 2.4) - 0.055, 1);
const linear = (x: number): number => (x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4));

/** Linear sRGB from XYZ (D65). */
function fromXyz(x: number, y: number, z: number): [number, number, number] {
  return [3.2409699419 * x - 1.5373831776 * y - 0.4986107603 * z, -0.9692436363 * x + 1.8759675015 * y + 0.0415550574 * z, 0.0556300797 * x - 0.2039769589 * y + 1.0569715142 * z];
}

/** hwb(), lab(), lch(), oklab(), oklch(), color(<space> …) as sRGB (CSS Color 4 §7-§10). */
function spaceColour(name: string, body: string): Rgba | undefined {
  const [main, alphaText] = body.split('/') as [string, string | undefined];
  const parts = main.trim().split(/\s+/);
  const alpha = alphaText === undefined ? 1 : component(alphaText.trim(), 1);
  if (alpha === undefined) return undefined;
  let rgbLinear: [number, number, number] | undefined;
  if (name === 'hwb') {
    const [h, w, b] = [num(parts[0], 360), num(parts[1], 1), num(parts[2], 1)];
    if (h === undefined || w === undefined || b === undefined || parts.length !== 3) return undefined;
    const base = hslToRgb(((h % 360) + 360) % 360, 1, 0.5);
    const sum = w + b;
    const [ww, bb] = sum >= 1 ? [w / sum, b / sum] : [w, b];
    const f = (c: number): number => c * (1 - ww - bb) + 255 * ww;
    return { r: f(base.r), g: f(base.g), b: f(base.b), a: clamp(alpha, 1) };
  }
  if (name === 'color') {
    const space = parts[0];
    const [r, g, b] = [num(parts[1], 1), num(parts[2], 1), num(parts[3], 1)];
    if (r === undefined || g === undefined || b === undefined || parts.length !== 4) return undefined;
    if (space === 'srgb') rgbLinear = [linear(r), linear(g), linear(b)];
    else if (space === 'srgb-linear') rgbLinear = [r, g, b];
    else if (space === 'display-p3') {
      const [lr, lg, lb] = [linear(r), linear(g), linear(b)];
      rgbLinear = fromXyz(0.4865709486 * lr + 0.2656676932 * lg + 0.1982172852 * lb, 0.2289745641 * lr + 0.6917385218 * lg + 0.0792869141 * lb, 0.0451133819 * lg + 1.0439443689 * lb);
    } else if (space === 'xyz' || space === 'xyz-d65') rgbLinear = fromXyz(r, g, b);
    else return undefined;
  } else {
    const ok = name.startsWith('ok');
    const l = num(parts[0], ok ? 1 : 100);
    const polar = name.endsWith('lch');
    const c1 = num(parts[1], ok ? 0.4 : polar ? 150 : 125);
    const c2 = polar ? num(parts[2], 360) : num(parts[2], ok ? 0.4 : 125);
    if (l === undefined || c1 === undefined || c2 === undefined || parts.length !== 3) return undefined;
    const [a, b] = polar ? [c1 * Math.cos((c2 * Math.PI) / 180), c1 * Math.sin((c2 * Math.PI) / 180)] : [c1, c2];
    if (ok) {
      const lms = [l + 0.3963377774 * a + 0.2158037573 * b, l - 0.1055613458 * a - 0.0638541728 * b, l - 0.0894841775 * a - 1.291485548 * b].map((x) => x * x * x) as [number, number, number];
      rgbLinear = [4.0767416621 * lms[0] - 3.3077115913 * lms[1] + 0.2309699292 * lms[2], -1.2684380046 * lms[0] + 2.6097574011 * lms[1] - 0.3413193965 * lms[2], -0.0041960863 * lms[0] - 0.7034186147 * lms[1] + 1.707614701 * lms[2]];
    } else {
      // CIE Lab (D50) to XYZ, adapted to D65 (Bradford)
      const fy = (l + 16) / 116;
      const fx = fy + a / 500;
      const fz = fy - b / 200;
      const e = 216 / 24389;
      const k = 24389 / 27;
      const inv = (f: number): number => (f ** 3 > e ? f ** 3 : (116 * f - 16) / k);
      const [x, y, z] = [inv(fx) * 0.3457 / 0.3585, l > k * e ? fy ** 3 : l / k, (inv(fz) * (1 - 0.3457 - 0.3585)) / 0.3585];
      rgbLinear = fromXyz(0.9554734527 * x - 0.0230985368 * y + 0.0632593086 * z, -0.0283697069 * x + 1.0099954580 * y + 0.0210413989 * z, 0.0123140016 * x - 0.0205076964 * y + 1.3303659366 * z);
    }
  }
  return { r: gamma(rgbLinear[0]), g: gamma(rgbLinear[1]), b: gamma(rgbLinear[2]), a: clamp(alpha, 1) };
}

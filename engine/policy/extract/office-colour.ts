// Colours as Office documents give them, and whether text in one colour can be read on another. Text is
// taken as unseen when its contrast with what lies behind it is under 1.07:1 (WCAG 2 relative luminance):
// white on white, F8F8F8 and lighter greys on white, navy on the same navy. WCAG asks 4.5:1 for readable
// text; 1.07 keeps faint but legible text in the reading as shown: pure yellow on white (1.074:1), light
// grey (C0C0C0 on white, 1.8:1). Dropping text a reader does see would let it combine with a real hider.
const UNSEEN_CONTRAST = 1.07;

/** An RGB colour from "RRGGBB", "#RRGGBB" or Excel's "AARRGGBB"; undefined for anything else ("auto"). */
export function rgb(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^#?(?:[0-9a-f]{2})?([0-9a-f]{6})$/i.exec(value.trim());
  return m === null ? undefined : Number.parseInt(m[1] ?? '', 16);
}

export const WHITE = 0xffffff;
export const BLACK = 0x000000;

const luminance = (c: number): number => {
  const channel = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel((c >> 16) & 0xff) + 0.7152 * channel((c >> 8) & 0xff) + 0.0722 * channel(c & 0xff);
};

/** Text of colour `text` on `ground` cannot be told from it. */
export function unseenOn(text: number, ground: number): boolean {
  const a = luminance(text);
  const b = luminance(ground);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) < UNSEEN_CONTRAST;
}

/** Word's highlight colours (ST_HighlightColor); "none" is no highlight. */
export const HIGHLIGHTS: ReadonlyMap<string, number> = new Map([
  ['black', 0x000000], ['blue', 0x0000ff], ['cyan', 0x00ffff], ['green', 0x00ff00], ['magenta', 0xff00ff], ['red', 0xff0000],
  ['yellow', 0xffff00], ['white', 0xffffff], ['darkBlue', 0x000080], ['darkCyan', 0x008080], ['darkGreen', 0x008000],
  ['darkMagenta', 0x800080], ['darkRed', 0x800000], ['darkYellow', 0x808000], ['darkGray', 0x808080], ['lightGray', 0xc0c0c0],
]);

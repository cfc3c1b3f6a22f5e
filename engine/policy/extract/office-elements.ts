// Small readers over Office XML shared by the hidden-text readings: elements dropped by their start tag,
// an attribute of a tag, an on/off switch. The attacker writes the XML, so every one is linear: indexOf
// scans, and patterns whose repeats stop at the next '<' or '>'.

/**
 * The XML without every `<name …>…</name>` whose start tag `drop` accepts (nested elements of the name
 * counted; a self-closed `<name …/>` holds nothing and stays; an unclosed one takes the rest). `drop` is
 * given the start tag and the offset just past it. Linear: the next end tag is searched for again only
 * once the scan has passed it.
 */
export function withoutElements(xml: string, name: string, drop: (tag: string, after: number) => boolean = () => true): string {
  const open = `<${name}`;
  const end = `</${name}>`;
  const out: string[] = [];
  let pos = 0;
  let from = 0;
  let nextEnd = -2;
  // the next start tag of the name at or after p that holds content: [its start, just past its '>'], or undefined
  const startTag = (p: number): [number, number] | undefined => {
    for (;;) {
      const at = xml.indexOf(open, p);
      if (at < 0) return undefined;
      const after = xml.charCodeAt(at + open.length);
      const gt = xml.indexOf('>', at);
      if (gt < 0) return undefined;
      // <w:delText>, <w:moveFromRangeStart>, <text:spanx> share the prefix; a self-closed tag holds nothing
      if ((after === 0x3e || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d) && xml.charCodeAt(gt - 1) !== 0x2f) return [at, gt + 1];
      p = gt + 1;
    }
  };
  for (;;) {
    const tag = startTag(from);
    if (tag === undefined) break;
    if (!drop(xml.slice(tag[0], tag[1]), tag[1])) {
      from = tag[1];
      continue;
    }
    let depth = 1;
    let p = tag[1];
    while (depth > 0) {
      if (nextEnd !== -1 && nextEnd < p) nextEnd = xml.indexOf(end, p);
      if (nextEnd < 0) {
        p = xml.length;
        break;
      }
      const inner = startTag(p);
      if (inner !== undefined && inner[0] < nextEnd) {
        depth++;
        p = inner[1];
      } else {
        depth--;
        p = nextEnd + end.length;
      }
    }
    out.push(xml.slice(pos, tag[0]));
    pos = from = p;
  }
  out.push(xml.slice(pos));
  return out.join('');
}

/** The value of attribute `name` (with its prefix, e.g. "w:val") in a start tag, or undefined. */
export function attribute(tag: string, name: string): string | undefined {
  let pattern = ATTRIBUTES.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`[\\s"']${name.replace(/[.:-]/g, '\\$&')}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
    ATTRIBUTES.set(name, pattern);
  }
  const at = pattern.exec(tag);
  return at === null ? undefined : (at[1] ?? at[2]);
}
// the few attribute names the readers ask for, each compiled once
const ATTRIBUTES = new Map<string, RegExp>();

/** An on/off value (ST_OnOff, xsd:boolean): absent is on; "0", "false", "off" (any case) are off. */
export function isOn(value: string | undefined): boolean {
  return value === undefined || !/^\s*(?:0|false|off)\s*$/i.test(value);
}

/**
 * A finder of the next `</name>` (or any fixed string) at or after a position that remembers its last
 * answer, so that a scan asking again and again searches each stretch of the text once; -1 once there
 * is none.
 */
export function nextFinder(xml: string, needle: string): (from: number) => number {
  let found = -2;
  return (from) => {
    if (found !== -1 && found < from) found = xml.indexOf(needle, from);
    return found;
  };
}

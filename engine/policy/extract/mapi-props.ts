// A MAPI property list as TNEF carries it (attMsgProps, attAttachment, the rows of attRecipTable;
// [MS-OXTNEF] 2.1.3, its MsgPropertyList syntax, and Outlook's attMAPIProps page): a count, then each
// property's tag (type, then id, 16 bits each), a name for named properties (id >= 0x8000: GUID, kind,
// id or UTF-16 string), and its value: fixed-size types in place (padded to 4 bytes), variable-length
// ones (and every multi-valued one) as a value count, then each value's length, bytes and padding.

export interface MapiProp {
  readonly id: number;
  readonly type: number;
  /** PT_OBJECT: each value starts with the object's 16-byte interface id. */
  readonly object: boolean;
  /** Strings decoded; binaries and objects as bytes; fixed-size values are skipped (no text in them). */
  readonly values: readonly (string | Uint8Array)[];
}

export type PropsResult = { readonly props: readonly MapiProp[]; readonly end: number } | { readonly reason: 'corrupt' | 'unsupported'; readonly detail: string };

const MV_FLAG = 0x1000;
const PT_OBJECT = 0x000d;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
/** Sizes of the fixed-size types as stored (PT_I2 and PT_BOOLEAN padded to 4): [MS-OXCDATA] 2.11.1. */
const FIXED: Readonly<Record<number, number>> = { 0x0002: 4, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000a: 4, 0x000b: 4, 0x0014: 8, 0x0040: 8, 0x0048: 16 };
const VARIABLE: ReadonlySet<number> = new Set([PT_OBJECT, PT_STRING8, PT_UNICODE, PT_BINARY]);

const utf16 = new TextDecoder('utf-16le');
const pad4 = (n: number): number => (n + 3) & ~3;
const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

class Cursor {
  at: number;
  readonly #view: DataView;
  constructor(readonly data: Uint8Array, at: number) {
    this.at = at;
    this.#view = new DataView(data.buffer, data.byteOffset, data.length);
  }
  has(n: number): boolean {
    return n <= this.data.length - this.at;
  }
  u16(): number {
    this.at += 2;
    return this.#view.getUint16(this.at - 2, true);
  }
  u32(): number {
    this.at += 4;
    return this.#view.getUint32(this.at - 4, true);
  }
}

/** The property list at `offset` of `data`; `string8` decodes PT_STRING8 in the stream's code page. */
export function readProps(data: Uint8Array, offset: number, string8: (bytes: Uint8Array) => string): PropsResult {
  const c = new Cursor(data, offset);
  if (!c.has(4)) return { reason: 'corrupt', detail: `MAPI property list at byte ${offset} without its count` };
  const count = c.u32();
  const props: MapiProp[] = [];
  for (let i = 0; i < count; i++) {
    const start = c.at;
    if (!c.has(4)) return { reason: 'corrupt', detail: `MAPI property list declares ${count} properties, ends after ${i}` };
    const type = c.u16();
    const id = c.u16();
    const what = `MAPI property ${hex4(id)} (type ${hex4(type)}) at byte ${start}`;
    if (id >= 0x8000 && !skipName(c)) return { reason: 'corrupt', detail: `${what}: its name runs past the list` };
    const base = type & ~MV_FLAG;
    const multi = (type & MV_FLAG) !== 0;
    if (FIXED[base] === undefined && !VARIABLE.has(base)) return { reason: 'unsupported', detail: `MAPI property type ${hex4(type)} (property ${hex4(id)} at byte ${start})` };
    const values = readValues(c, base, multi || VARIABLE.has(base), string8);
    if (typeof values === 'string') return { reason: 'corrupt', detail: `${what}: ${values}` };
    props.push({ id, type: base, object: base === PT_OBJECT, values });
  }
  return { props, end: c.at };
}

function skipName(c: Cursor): boolean {
  if (!c.has(20)) return false;
  c.at += 16;
  const kind = c.u32();
  if (!c.has(4)) return false;
  // kind 0 (MNID_ID): a 32-bit id; kind 1 (MNID_STRING): a length and the UTF-16 name
  const length = kind === 0 ? 0 : c.u32();
  if (kind === 0) c.at += 4;
  if (!c.has(pad4(length))) return false;
  c.at += pad4(length);
  return true;
}

/** The values of one property, or what is wrong with them. */
function readValues(c: Cursor, base: number, counted: boolean, string8: (bytes: Uint8Array) => string): (string | Uint8Array)[] | string {
  let n = 1;
  if (counted) {
    if (!c.has(4)) return 'its value count runs past the list';
    n = c.u32();
  }
  const fixed = FIXED[base];
  if (fixed !== undefined) {
    if (!c.has(n * fixed)) return `${n} values of ${fixed} bytes run past the list`;
    c.at += n * fixed;
    return [];
  }
  const values: (string | Uint8Array)[] = [];
  for (let k = 0; k < n; k++) {
    if (!c.has(4)) return `value ${k + 1} of ${n} runs past the list`;
    const length = c.u32();
    if (!c.has(length)) return `value ${k + 1} declares ${length} bytes, ${c.data.length - c.at} are left`;
    const bytes = c.data.subarray(c.at, c.at + length);
    c.at = Math.min(c.data.length, c.at + pad4(length));
    if (base === PT_OBJECT && length < 16) return `object value of ${length} bytes is shorter than its interface id`;
    values.push(base === PT_STRING8 ? string8(bytes) : base === PT_UNICODE ? utf16.decode(bytes).replace(/\0+$/, '').replace(/\0+/g, '\n') : bytes);
  }
  return values;
}

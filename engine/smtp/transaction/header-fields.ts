// Reads the few top-level header fields the engine itself needs (loop header, Message-ID, Received).
// Policies parse the message properly; this is a bounded scan of the header block only.

export interface HeaderField {
  readonly name: string;
  /** Unfolded value, leading/trailing white space removed. */
  readonly value: string;
}

/** Scanning more than this of a header block is pointless for our fields and costs time. */
export const HEADER_SCAN_LIMIT = 256 * 1024;

export function parseHeaderFields(block: Buffer): HeaderField[] {
  const text = block.subarray(0, HEADER_SCAN_LIMIT).toString('latin1');
  const fields: HeaderField[] = [];
  let name = '';
  let value = '';
  const flush = (): void => {
    if (name !== '') fields.push({ name, value: value.trim() });
    name = '';
    value = '';
  };
  for (const line of text.split('\r\n')) {
    if (line === '') break;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    name = line.slice(0, colon).trim();
    value = line.slice(colon + 1);
  }
  flush();
  return fields;
}

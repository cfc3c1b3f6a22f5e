// RFC 6901 JSON pointers, and the dotted form people read in messages ("upstreams[0].tls").

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function joinPointer(base: string, ...segments: readonly (string | number)[]): string {
  return base + segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function parentPointer(pointer: string): string {
  const at = pointer.lastIndexOf('/');
  return at <= 0 ? '' : pointer.slice(0, at);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** "upstreams[0].tls"; '' for the whole document. */
export function displayPath(pointer: string): string {
  let out = '';
  for (const segment of parsePointer(pointer)) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The short name of what a pointer designates: "port", "domains[1]", "the document". */
export function displayLabel(pointer: string): string {
  const segments = parsePointer(pointer);
  const last = segments[segments.length - 1];
  if (last === undefined) return 'the document';
  if (!/^(0|[1-9][0-9]*)$/.test(last)) return IDENTIFIER.test(last) ? last : JSON.stringify(last);
  return displayPath(joinPointer('', ...segments.slice(-2)));
}

/** "in upstreams[0].tls", or "at the top level" for the document itself. */
export function displayContainer(pointer: string): string {
  return pointer === '' ? 'at the top level' : `in ${displayPath(pointer)}`;
}

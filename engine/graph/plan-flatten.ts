// Flattens a description to "path → printable value" so a plan can say exactly which field
// changed: `tls.starttls`, `tls.trust[../certs/mx.crt.pem].fingerprints`, `receivers`.

function isScalar(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function printScalar(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An element's identity inside a list of objects: its name, file or index field, else its position. */
function elementKey(element: unknown, position: number): string {
  if (typeof element === 'object' && element !== null) {
    const e = element as Record<string, unknown>;
    for (const field of ['name', 'file', 'index']) {
      const v = e[field];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
    }
  }
  return String(position);
}

function walk(value: unknown, path: string, out: Map<string, string>): void {
  if (isScalar(value)) {
    if (value !== undefined) out.set(path, printScalar(value));
    return;
  }
  if (Array.isArray(value)) {
    if (value.every(isScalar)) {
      out.set(path, value.length === 0 ? '(none)' : value.map(printScalar).join(', '));
      return;
    }
    value.forEach((element, i) => walk(element, `${path}[${elementKey(element, i)}]`, out));
    if (value.length === 0) out.set(path, '(none)');
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    walk(v, path === '' ? key : `${path}.${key}`, out);
  }
}

export function flattenForDiff(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  walk(value, '', out);
  return out;
}

// How values and JSON types read in messages.

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** 'a string ("25")', 'a list', 'nothing (an empty value)'. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${formatValue(value)})`;
  if (typeof value === 'boolean') return `a boolean (${String(value)})`;
  if (typeof value === 'number') return Number.isInteger(value) ? `a number (${value})` : `a fractional number (${value})`;
  return typeof value;
}

export function typeName(type: string): string {
  switch (type) {
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a mapping (key: value)';
    case 'array':
      return 'a list';
    case 'null':
      return 'empty';
    default:
      return type;
  }
}

/** A hint when a value is the right thing in the wrong wrapping ("25" for 25, "true" for true). */
export function typeHint(expected: readonly string[], value: unknown): string | undefined {
  if (typeof value === 'string') {
    if ((expected.includes('integer') || expected.includes('number')) && /^-?\d+(\.\d+)?$/.test(value.trim())) return 'remove the quotes around the number';
    if (expected.includes('boolean') && /^(true|false|yes|no|on|off)$/i.test(value.trim())) return 'write true or false without quotes (YAML 1.2: yes/no/on/off are strings)';
  }
  if (expected.includes('array') && !Array.isArray(value) && value !== null && typeof value !== 'object') return `write a list: [${JSON.stringify(value)}]`;
  return undefined;
}

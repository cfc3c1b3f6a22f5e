// Address and name globs: * matches any run of characters, ? one character; case-insensitive.

export interface Glob {
  readonly pattern: string;
  test(value: string): boolean;
}

export function compileGlob(pattern: string): Glob {
  const p = pattern.toLowerCase();
  if (p === '*') return { pattern, test: () => true };
  if (!p.includes('*') && !p.includes('?')) return { pattern, test: (v) => v.toLowerCase() === p };
  return { pattern, test: (v) => wildcardMatch(p, v.toLowerCase()) };
}

/** Greedy wildcard matching with one backtrack point: O(n·m) worst case, no regex engine involved. */
function wildcardMatch(p: string, s: string): boolean {
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

export function anyGlob(globs: readonly Glob[], value: string): boolean {
  return globs.some((g) => g.test(value));
}

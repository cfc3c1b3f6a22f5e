// Seeded pseudo-random words and digit strings for differential tests: the same texts on every run.

export interface SeededWords {
  /** A number in [0, 1). */
  next(): number;
  pick<T>(xs: readonly T[]): T;
  /** Lower-case ASCII letters, between min and max long. */
  word(min: number, max: number): string;
  digits(n: number): string;
}

export function seededWords(seed: number): SeededWords {
  let s = seed;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];
  const word = (min: number, max: number): string => Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => pick(letters)).join('');
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
  return { next, pick, word, digits };
}

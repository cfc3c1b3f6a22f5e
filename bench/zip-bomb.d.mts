// Types for bench/zip-bomb.mjs (imported by the evasion tests).
export function zipBomb(entrySize: number, count: number): Buffer;

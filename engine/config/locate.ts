// Source positions for JSON pointers, from the `yaml` package's document nodes.
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { parsePointer } from './pointer.js';
import type { SourceFile } from './source-file.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

interface Found {
  /** The deepest node reached (the value). */
  readonly node: Node | null;
  /** The key of the deepest map entry reached, when the walk ended in a map entry. */
  readonly key: Node | null;
  /** True when every segment of the pointer was found. */
  readonly complete: boolean;
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function step(node: Node, segment: string): { node: Node | null; key: Node | null } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && scalarKey(item.key) === segment);
    if (!pair) return undefined;
    return { node: (pair.value as Node | null) ?? null, key: (pair.key as Node | null) ?? null };
  }
  if (isSeq(node) && /^(0|[1-9][0-9]*)$/.test(segment)) {
    const item = node.items[Number(segment)];
    return item === undefined ? undefined : { node: (item as Node | null) ?? null, key: null };
  }
  return undefined;
}

function walk(source: SourceFile, pointer: string): Found {
  let node = (source.doc.contents as Node | null) ?? null;
  let key: Node | null = null;
  for (const segment of parsePointer(pointer)) {
    const next = node ? step(node, segment) : undefined;
    if (!next) return { node, key, complete: false };
    if (!next.node) return { node: null, key: next.key, complete: false };
    node = next.node;
    key = next.key;
  }
  return { node, key, complete: true };
}

function positionOf(source: SourceFile, node: Node | null): Position {
  const offset = node?.range?.[0];
  if (offset === undefined) return firstContentPosition(source);
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col };
}

function firstContentPosition(source: SourceFile): Position {
  const offset = source.doc.contents?.range?.[0] ?? 0;
  const { line, col } = source.lineCounter.linePos(offset);
  return { line: Math.max(1, line), column: Math.max(1, col) };
}

/**
 * Where the value a pointer names starts — for a mapping or list, where its key starts ("tls:" rather than the first
 * line inside it); the nearest existing node when the pointer goes deeper than the document.
 */
export function locate(source: SourceFile, pointer: string): Position {
  const found = walk(source, pointer);
  const collection = found.node !== null && (isMap(found.node) || isSeq(found.node));
  return positionOf(source, collection ? (found.key ?? found.node) : (found.node ?? found.key));
}

/** Where the key of the entry a pointer names starts (the value for sequence items and the document root). */
export function locateKey(source: SourceFile, pointer: string): Position {
  const found = walk(source, pointer);
  if (!found.complete) return positionOf(source, found.node ?? found.key);
  return positionOf(source, found.key ?? found.node);
}

/** True when the pointer names a node that exists in the document. */
export function pointerExists(source: SourceFile, pointer: string): boolean {
  return walk(source, pointer).complete;
}

// Recipient domain → route. File order decides (first match wins), but lookup never walks the
// routes: each pattern is indexed with the lowest route index that names it, and a lookup
// checks the exact name, each parent suffix and the catch-all, keeping the lowest index.
import { domainToASCII } from 'node:url';
import type { DomainRouter, Route } from './types.js';

export type DomainPattern =
  | { readonly kind: 'exact'; readonly domain: string }
  | { readonly kind: 'subdomains'; readonly suffix: string }
  | { readonly kind: 'any' };

/** True when `d` is already lowercase ASCII without surrounding space or a trailing dot (the common case). */
function isNormalized(d: string): boolean {
  const n = d.length;
  if (n === 0 || d.charCodeAt(n - 1) === 46) return n === 0;
  for (let i = 0; i < n; i++) {
    const c = d.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 126 || c <= 32) return false;
  }
  return true;
}

/** Lowercase ASCII (punycode for IDNs), without a trailing dot. */
export function normalizeDomain(domain: string): string {
  if (isNormalized(domain)) return domain;
  let d = domain.trim().toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (/[^\x00-\x7f]/.test(d)) d = domainToASCII(d) || d;
  return d;
}

export function parseDomainPattern(pattern: string): DomainPattern {
  const p = pattern.trim();
  if (p === '*') return { kind: 'any' };
  if (p.startsWith('*.')) return { kind: 'subdomains', suffix: normalizeDomain(p.slice(2)) };
  return { kind: 'exact', domain: normalizeDomain(p) };
}

/**
 * One label of the reversed-label trie ("org" → "example" → …). Children are keyed by a hash
 * of the label computed in place, so a lookup allocates no substrings; `label` settles collisions.
 */
interface LabelNode {
  readonly label: string;
  /** Lowest route index naming exactly this domain. */
  exact: number;
  /** Lowest route index naming "*.this-domain" (matches names strictly below it). */
  below: number;
  readonly children: Map<number, LabelNode[]>;
}

/** "No route" as a small integer: keeps every index an SMI, so array access stays on the fast path. */
const NO_ROUTE = 0x3fffffff;

function newNode(label: string): LabelNode {
  return { label, exact: NO_ROUTE, below: NO_ROUTE, children: new Map() };
}

/** FNV-1a over text[start, end), kept in small-integer range for fast Map keys. */
function labelHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h & 0x3fffffff;
}

/** Index of the last '.' before `end`, or -1 (a plain loop: lastIndexOf with a start index is slow). */
function dotBefore(text: string, end: number): number {
  let i = end - 1;
  while (i >= 0 && text.charCodeAt(i) !== 46) i--;
  return i;
}

function sameLabel(label: string, text: string, start: number, end: number): boolean {
  if (label.length !== end - start) return false;
  for (let i = 0; i < label.length; i++) if (label.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}

function childOf(node: LabelNode, text: string, start: number, end: number): LabelNode | undefined {
  const bucket = node.children.get(labelHash(text, start, end));
  if (!bucket) return undefined;
  for (let i = 0; i < bucket.length; i++) {
    const child = bucket[i];
    if (child && sameLabel(child.label, text, start, end)) return child;
  }
  return undefined;
}

function nodeFor(root: LabelNode, domain: string): LabelNode {
  let node = root;
  let end = domain.length;
  for (;;) {
    const dot = dotBefore(domain, end);
    let child = childOf(node, domain, dot + 1, end);
    if (!child) {
      child = newNode(domain.slice(dot + 1, end));
      const key = labelHash(domain, dot + 1, end);
      node.children.set(key, [...(node.children.get(key) ?? []), child]);
    }
    node = child;
    if (dot < 0) return node;
    end = dot;
  }
}

function addPattern(root: LabelNode, text: string, position: number): number {
  const pattern = parseDomainPattern(text);
  switch (pattern.kind) {
    case 'exact': {
      const node = nodeFor(root, pattern.domain);
      node.exact = Math.min(node.exact, position);
      return NO_ROUTE;
    }
    case 'subdomains': {
      const node = nodeFor(root, pattern.suffix);
      node.below = Math.min(node.below, position);
      return NO_ROUTE;
    }
    case 'any':
      return position;
    default: {
      const never: never = pattern;
      throw new Error(`unhandled domain pattern ${JSON.stringify(never)}`);
    }
  }
}

/** Walks the labels right to left; lookup cost grows with the labels of the name, not the routes. */
function lowestMatch(root: LabelNode, d: string, any: number): number {
  let best = any;
  let node = root;
  let end = d.length;
  for (;;) {
    // end strictly decreases, so malformed names ("", ".a", "a..b") end the walk too.
    const dot = dotBefore(d, end);
    const child = childOf(node, d, dot + 1, end);
    if (!child) return best;
    node = child;
    if (dot < 0) return Math.min(best, node.exact);
    if (node.below < best) best = node.below;
    end = dot;
  }
}

export function compileDomainRouter(routes: readonly Route[]): DomainRouter {
  const root = newNode('');
  let any = NO_ROUTE;
  routes.forEach((route, position) => {
    for (const text of route.domains) any = Math.min(any, addPattern(root, text, position));
  });
  return Object.freeze({
    lookup(domain: string): Route | undefined {
      const best = lowestMatch(root, normalizeDomain(domain), any);
      return best === NO_ROUTE ? undefined : routes[best];
    },
  });
}

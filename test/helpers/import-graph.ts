// The import graph of engine/ as the source states it (relative imports only), and its cycles
// (strongly connected components of more than one file, Tarjan). Type-only imports can be left out:
// they vanish at compile time, so only value imports can make a module load in a cycle.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportGraph {
  readonly root: string;
  /** File → the files it imports (absolute paths). */
  readonly edges: ReadonlyMap<string, readonly string[]>;
}

const IMPORT = /^(?:import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?'([^']+)'/gm;

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every import specifier of a file, with whether it is type-only. */
export function importsOf(file: string): { readonly specifier: string; readonly typeOnly: boolean }[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => ({ specifier: m[2] as string, typeOnly: m[1] !== undefined }));
}

export function readImportGraph(root: string, opts: { readonly types: boolean }): ImportGraph {
  const edges = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const to = importsOf(file)
      .filter((i) => i.specifier.startsWith('.') && (opts.types || !i.typeOnly))
      .map((i) => resolve(dirname(file), i.specifier.replace(/\.js$/, '.ts')));
    edges.set(resolve(file), to);
  }
  return { root, edges };
}

/** Groups of files that import one another in a cycle, as paths relative to the root. */
export function cyclesOf(g: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.edges.get(v) ?? []) {
      if (!g.edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      group.push(relative(g.root, w));
    }
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of g.edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * Imports that point up a layer order: `rankOf` gives each file its layer (higher imports lower,
 * never the reverse; equal ranks may import each other) or undefined for a file the order does not
 * place, which is reported too so that a new folder has to be given its place. Files outside the
 * graph's root are not judged.
 */
export function layerViolations(g: ImportGraph, rankOf: (relPath: string) => number | undefined): string[] {
  const out: string[] = [];
  for (const [from, tos] of g.edges) {
    const a = relative(g.root, from);
    const ra = rankOf(a);
    if (ra === undefined) out.push(`${a}: no layer`);
    for (const to of tos) {
      const b = relative(g.root, to);
      if (b.startsWith('..')) continue;
      const rb = rankOf(b);
      if (ra !== undefined && rb !== undefined && rb > ra) out.push(`${a} → ${b}`);
    }
  }
  return out.sort();
}

// One config file: its text, its parsed YAML document (JSON is YAML 1.2) and the positions to point into it.
import { isAbsolute, relative } from 'node:path';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { LineCounter, parseDocument } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import type { Diagnostic } from './diagnostic.js';

export interface SourceFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the working directory (absolute when outside it). */
  readonly displayPath: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

export interface ParsedSource {
  readonly source: SourceFile;
  /** The plain data, or undefined when the file has syntax errors. */
  readonly data: unknown;
  readonly diagnostics: readonly Diagnostic[];
}

/** Aliases beyond this count are refused (a "billion laughs" document would otherwise expand without bound). */
const MAX_ALIAS_COUNT = 1000;

export function displayPathOf(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

export function parseSourceFile(path: string, text: string, cwd?: string): ParsedSource {
  const displayPath = displayPathOf(path, cwd);
  // The common case, a valid file without aliases or tags, is read by js-yaml (about ten times faster);
  // the yaml document with positions is then built only if a diagnostic has to point into the file.
  const fast = fastData(text);
  if (fast !== undefined) return { source: new LazySource(path, displayPath, text), data: fast.data, diagnostics: [] };
  const { doc, lineCounter } = parseWithPositions(text);
  const source: SourceFile = { path, displayPath, text, doc, lineCounter };
  // One syntax error usually sets off several more; the first is the one to fix. Duplicate keys are independent.
  const firstSyntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const errors = doc.errors.filter((e) => e === firstSyntax || e.code === 'DUPLICATE_KEY');
  const diagnostics = [
    ...errors.map((e) => yamlDiagnostic(source, e, 'error')),
    ...doc.warnings.map((e) => yamlDiagnostic(source, e, 'warning')),
  ];
  if (doc.errors.length > 0) return { source, data: undefined, diagnostics };
  try {
    return { source, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), diagnostics };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { source, data: undefined, diagnostics: [...diagnostics, fileDiagnostic(source, 'RG_CFG_SYNTAX', `cannot expand the document: ${message}`)] };
  }
}

/**
 * js-yaml under the YAML 1.2 core schema (the yaml library's default), refusing what the two could read
 * differently or what needs the careful path: any alias (expansion limits), any error, duplicate keys
 * included. undefined sends the file to the yaml library, which reports the problem with its position.
 */
export function fastData(text: string): { readonly data: unknown } | undefined {
  try {
    const data = loadYaml(text, { schema: CORE_SCHEMA, json: false, maxAliases: 0 });
    return { data: data === undefined ? null : data };
  } catch {
    return undefined;
  }
}

/** A source whose yaml document (for positions) is parsed on first use. */
class LazySource implements SourceFile {
  readonly path: string;
  readonly displayPath: string;
  readonly text: string;
  #parsed: { readonly doc: Document.Parsed; readonly lineCounter: LineCounter } | undefined;

  constructor(path: string, displayPath: string, text: string) {
    this.path = path;
    this.displayPath = displayPath;
    this.text = text;
  }

  get doc(): Document.Parsed {
    return this.#parse().doc;
  }

  get lineCounter(): LineCounter {
    return this.#parse().lineCounter;
  }

  #parse(): { readonly doc: Document.Parsed; readonly lineCounter: LineCounter } {
    this.#parsed ??= parseWithPositions(this.text);
    return this.#parsed;
  }
}

function parseWithPositions(text: string): { readonly doc: Document.Parsed; readonly lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  return { doc: parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false }), lineCounter };
}

function yamlDiagnostic(source: SourceFile, error: YAMLError, severity: 'error' | 'warning'): Diagnostic {
  const { line, col } = source.lineCounter.linePos(error.pos[0]);
  const isDuplicate = error.code === 'DUPLICATE_KEY';
  const key = /^("[^"]*"|'[^']*'|[^:\s,{}[\]]+)/.exec(source.text.slice(error.pos[0]))?.[1] ?? '';
  const message = isDuplicate ? `duplicate key${key ? ` ${JSON.stringify(unquote(key))}` : ''} (keys must be unique)` : yamlMessage(error);
  const hint = isDuplicate ? 'remove or rename one of them; a later duplicate would silently win in many tools' : syntaxHint(error);
  return {
    code: isDuplicate ? 'RG_CFG_DUPLICATE_KEY' : severity === 'error' ? 'RG_CFG_SYNTAX' : 'RG_CFG_YAML_WARNING',
    severity,
    file: source.displayPath,
    line,
    column: col,
    pointer: '',
    message,
    ...(hint ? { hint } : {}),
  };
}

function unquote(key: string): string {
  return /^(["']).*\1$/.test(key) ? key.slice(1, -1) : key;
}

function yamlMessage(error: YAMLError): string {
  if (error.code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document';
  const first = error.message.split('\n')[0] ?? error.message;
  return `syntax error: ${first.replace(/ at line \d+, column \d+.*$/, '')}`;
}

function syntaxHint(error: YAMLError): string | undefined {
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'MULTIPLE_DOCS':
      return 'a config file holds one document; remove the "---" separator';
    case 'MISSING_CHAR':
      return /quote|\]|\}/.test(error.message) ? 'close the quote or bracket opened earlier' : undefined;
    case 'BAD_INDENT':
      return 'align entries of the same list or mapping at the same column';
    default:
      return undefined;
  }
}

export function fileDiagnostic(source: SourceFile, code: string, message: string, hint?: string): Diagnostic {
  return { code, severity: 'error', file: source.displayPath, line: 1, column: 1, pointer: '', message, ...(hint ? { hint } : {}) };
}

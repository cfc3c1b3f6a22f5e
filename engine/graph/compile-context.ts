// State of one compile: located diagnostics, certificate files read once however often they
// are named, and who uses which certificate (for `certs list`, /status and `graph`).
import { dirname, resolve } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import type { Diagnostic, Severity } from '../config/diagnostic.js';
import { locate } from '../config/locate.js';
import type { SourceFile } from '../config/source-file.js';
import { readCertificateFile } from '../tls/pem.js';
import type { CertificateFileResult } from '../tls/pem.js';
import { describeCertificate } from '../tls/certificate-info.js';
import type { CertificateSummary } from './types.js';

export interface CompileContext {
  readonly source: SourceFile;
  readonly now: Date;
  readonly diagnostics: Diagnostic[];
  readonly certificateFiles: Map<string, CertificateFileResult>;
  /** Absolute certificate path → topology entries that use it, in first-use order. */
  readonly usage: Map<string, string[]>;
  /** Every file compile read beyond the config files (certificates, keys, the loop secret). */
  readonly readFiles: Set<string>;
  /** Trust lists by their written file list: entries naming the same files share one store. */
  readonly trustCache: Map<string, unknown>;
}

export function newCompileContext(source: SourceFile, now: Date): CompileContext {
  return { source, now, diagnostics: [], certificateFiles: new Map(), usage: new Map(), readFiles: new Set(), trustCache: new Map() };
}

/** A path as written in the topology file, resolved against that file's directory. */
export function resolvePath(ctx: CompileContext, written: string): string {
  return resolve(dirname(ctx.source.path), written);
}

export function report(ctx: CompileContext, pointer: string, code: string, message: string, hint?: string, severity: Severity = 'error'): void {
  const { line, column } = locate(ctx.source, pointer);
  ctx.diagnostics.push({ code, severity, file: ctx.source.displayPath, line, column, pointer, message, ...(hint ? { hint } : {}) });
}

export function recordUsage(ctx: CompileContext, path: string, usedBy: string): void {
  const users = ctx.usage.get(path);
  if (!users) ctx.usage.set(path, [usedBy]);
  else if (!users.includes(usedBy)) users.push(usedBy);
}

/** Reads (once) the certificates of a file named at `pointer`; reports and returns undefined on failure. */
export function certificatesAt(ctx: CompileContext, pointer: string, written: string, usedBy: string): { path: string; certificates: readonly X509Certificate[] } | undefined {
  const path = resolvePath(ctx, written);
  ctx.readFiles.add(path);
  let result = ctx.certificateFiles.get(path);
  if (!result) {
    result = readCertificateFile(path);
    ctx.certificateFiles.set(path, result);
  }
  if (!result.ok) {
    report(ctx, pointer, result.error.code, result.error.message, result.error.hint);
    return undefined;
  }
  recordUsage(ctx, path, usedBy);
  return { path, certificates: result.certificates };
}

/** One summary per certificate (a bundle lists each), in first-use order. */
export function certificateSummaries(ctx: CompileContext): CertificateSummary[] {
  const out: CertificateSummary[] = [];
  for (const [file, usedBy] of ctx.usage) {
    const result = ctx.certificateFiles.get(file);
    if (!result?.ok) continue;
    for (const cert of result.certificates) {
      const info = describeCertificate(cert, ctx.now);
      out.push({ file, subject: info.subject, fingerprint256: info.fingerprint256, validTo: info.validTo, usedBy: [...usedBy] });
    }
  }
  return out;
}

// CPU-heavy extraction (PDFs, big archives) off the event loop: a piscina pool of worker threads. Bytes
// go over as transferred ArrayBuffers; texts, attachment facts and unscannable parts come back. A file
// that overruns its time is aborted, which makes piscina terminate that worker: the CPU really stops.
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { type ExtractContext, type FileFacts, fileLabel, type FileInput } from './extract-file.js';
import type { ExtractLimits } from './limits.js';

export interface ExtractTask {
  readonly file: Omit<FileInput, 'content' | 'scannedText'>;
  readonly content: ArrayBuffer;
  readonly container: string | undefined;
  readonly depth: number;
  readonly limits: ExtractLimits;
  readonly budgetLeft: number;
  readonly parts: number;
}

/** The facts a worker found (as FileFacts, parts read-only) and the bytes of budget it used. */
export interface ExtractTaskResult extends Readonly<FileFacts> {
  readonly used: number;
  readonly exceeded: boolean;
}

/**
 * A hostile file may make pdf.js or zlib allocate: the worker dies, not the gateway. 512 MiB of old
 * generation and V8's default young generation: a 560 MiB heap in all (pool.test.ts holds it there).
 * A larger cap or young generation makes V8 collect the worker less often; docs/benchmarks.md (sessions 9
 * and 10) has what that gained and why it is not taken.
 */
export const WORKER_HEAP_LIMITS = Object.freeze({ maxOldGenerationSizeMb: 512 });

let shared: Piscina | undefined;

/**
 * The process-wide pool, created on first use. Inspection takes no pool parameter (its callers are on
 * the SMTP side); threads are created on demand and idle ones exit, so an unused pool costs nothing.
 */
export function extractionPool(): Piscina {
  shared ??= new Piscina({
    filename: workerFile(),
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism() - 1),
    idleTimeout: 10_000,
    resourceLimits: WORKER_HEAP_LIMITS,
  });
  return shared;
}

export async function closeExtractionPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.destroy();
}

// From dist/ the compiled worker sits beside this file; from the TypeScript sources (tests) the built
// copy is used, since a worker thread cannot load .ts files by itself.
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return here.replace(/pool\.js$/, 'worker.js');
  const built = here.replace(/[\\/]engine[\\/]policy[\\/]extract[\\/]pool\.ts$/, '/dist/policy/extract/worker.js');
  if (!existsSync(built)) throw new Error(`RG_POLICY_EXTRACT_WORKER: ${built} is missing; run npm run build`);
  return built;
}

/** Extracts `file` in the pool and merges what it found into `ctx` (ExtractContext.offload). */
export async function extractInPool(ctx: ExtractContext, file: FileInput, container: string | undefined, depth: number, signal: AbortSignal | undefined): Promise<void> {
  // the pool takes the bytes: a part's own buffer moves as it is (nothing reads it afterwards); a view
  // into a larger buffer (an entry of an archive, a pooled slab) is copied so that the rest stays valid
  const own = file.content.byteOffset === 0 && file.content.byteLength === file.content.buffer.byteLength && file.content.buffer instanceof ArrayBuffer;
  const content = own ? (file.content.buffer as ArrayBuffer) : new Uint8Array(file.content).buffer;
  const timer = AbortSignal.timeout(ctx.limits.timeoutMs);
  const abort = signal === undefined ? timer : AbortSignal.any([signal, timer]);
  const meta = { name: file.name, declaredType: file.declaredType, size: file.size, truncated: file.truncated };
  const task: ExtractTask = { file: meta, content, container, depth, limits: ctx.limits, budgetLeft: ctx.budget.left, parts: ctx.facts.parts };
  let result: ExtractTaskResult;
  try {
    result = (await extractionPool().run(task, { transferList: [content], signal: abort })) as ExtractTaskResult;
  } catch (err) {
    if (signal?.aborted === true) throw signal.reason instanceof Error ? signal.reason : new Error('inspection aborted');
    const label = fileLabel(file.name, container);
    ctx.facts.attachments.push({ name: file.name, declaredType: file.declaredType, sniffedType: undefined, size: file.size, container });
    if (timer.aborted) ctx.facts.unscannable.push({ label, reason: 'timeout', detail: `extraction took longer than ${ctx.limits.timeoutMs} ms` });
    else if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') ctx.facts.unscannable.push({ label, reason: 'limit', detail: 'extraction ran out of its worker memory limit' });
    else ctx.facts.unscannable.push({ label, reason: 'corrupt', detail: `extraction failed: ${err instanceof Error ? err.message : String(err)}` });
    return;
  }
  ctx.facts.segments.push(...result.segments);
  ctx.facts.longTexts.push(...result.longTexts);
  ctx.facts.messages.push(...result.messages);
  ctx.facts.attachments.push(...result.attachments);
  ctx.facts.unscannable.push(...result.unscannable);
  ctx.facts.notes.push(...result.notes);
  ctx.facts.limitsHit.push(...result.limitsHit);
  ctx.facts.parts = result.parts;
  ctx.budget.take(result.used);
  if (result.exceeded) ctx.budget.markExceeded();
}

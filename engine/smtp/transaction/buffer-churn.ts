// A large message passes through the gateway as thousands of short-lived buffers: every socket read of
// DATA is a fresh 64 KiB one, every spool read for inspection and for the relay a fresh 16 KiB one. They
// are external memory to V8, and the young generation that owns their handles is collected only when JS
// objects fill it, which moving bytes hardly does: dead buffers piled up to 28-34 MiB before a collection
// (docs/benchmarks.md, "The 50 MB message"), whatever the semi-space size. So the spool counts the bytes it
// moves through such buffers and, every CHURN_BYTES, runs one young-generation collection (a scavenge,
// ~1 ms with a few MB live), which frees the dead ones: a 50 MB message runs about 19 (receive, inspect,
// relay), small messages none until their bytes add up.
//
// V8 offers that collection only behind --expose-gc. The flag is set at the first use, not at start
// (a gateway that never moves 8 MiB never touches V8's flags), and the gc function is taken from a new
// vm context (the main context was created before the flag, so no global gc appears in it). Node keeps
// V8's flags writable after start for v8.setFlagsFromString (Node 20, 22 and 24); if that ever fails,
// nothing is collected early and the gateway runs as it did before.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes moved through fresh buffers between two young-generation collections. */
export const CHURN_BYTES = 8 << 20;

type Collect = (options: { readonly type: 'minor' }) => void;

let collect: Collect | null | undefined;
let moved = 0;
let collections = 0;

function collector(): Collect | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      collect = typeof gc === 'function' ? (gc as Collect) : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Counts bytes that went through a fresh buffer; every CHURN_BYTES of them runs a young collection. */
export function noteBufferChurn(bytes: number): void {
  moved += bytes;
  if (moved < CHURN_BYTES) return;
  moved = 0;
  const c = collector();
  if (c === null) return;
  c({ type: 'minor' });
  collections++;
}

/** How many young collections noteBufferChurn has run in this thread. */
export function churnCollections(): number {
  return collections;
}

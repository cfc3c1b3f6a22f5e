// Types for bench/corpus.mjs (imported by the replay tests).
export interface GeneratedMessage {
  readonly name: string;
  readonly raw: Buffer;
  readonly sender: string;
  readonly rcpt: string;
  readonly sidecar?: { readonly sender?: string; readonly recipients?: readonly string[]; readonly upstream?: string };
}
export function prng(seed: number): () => number;
export function makeMessage(i: number, rand: () => number): { raw: Buffer; sender: string; rcpt: string };
export function generateCorpus(n: number, seed?: number): Generator<GeneratedMessage>;
export function writeEmlDir(dir: string, messages: Iterable<Pick<GeneratedMessage, 'name' | 'raw' | 'sidecar'>>, opts?: { readonly sidecars?: boolean }): void;
export function writeMaildir(dir: string, messages: Iterable<Pick<GeneratedMessage, 'name' | 'raw'>>): void;
export function writeMbox(file: string, messages: Iterable<Pick<GeneratedMessage, 'raw' | 'sender'> & { readonly name?: string }>): Promise<void>;

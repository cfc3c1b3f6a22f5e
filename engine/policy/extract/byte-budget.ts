// The decoded bytes one message may keep, shared by the MIME parser, the text collector and the file
// extractors (apart from mime-parse.ts so that they need not import the parser).

/** Shared decoded-byte budget: take() grants at most what is left. */
export class ByteBudget {
  #left: number;
  #exceeded = false;
  constructor(limit: number) {
    this.#left = limit;
  }
  /** Returns bytes taken earlier and no longer held. */
  give(bytes: number): void {
    this.#left += bytes;
  }
  take(wanted: number): number {
    const granted = Math.min(wanted, this.#left);
    this.#left -= granted;
    if (granted < wanted) this.#exceeded = true;
    return granted;
  }
  /** Something was cut without asking take() (a caller that truncated on its own). */
  markExceeded(): void {
    this.#exceeded = true;
  }
  get left(): number {
    return this.#left;
  }
  get exceeded(): boolean {
    return this.#exceeded;
  }
}

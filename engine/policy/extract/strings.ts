// Printable strings of a binary nothing else reads (like strings(1)): runs of at least MIN_RUN printable
// ASCII characters, and the same in UTF-16LE and UTF-16BE, one per line. Streams, so a long binary costs
// a chunk. A UTF-16 run is read at even offsets: one byte order at an odd offset is the other at an even one.

const MIN_RUN = 4;

const printable = (b: number): boolean => (b >= 0x20 && b < 0x7f) || b === 0x09;

export class PrintableStrings {
  #ascii = '';
  #wide = '';
  #wideBe = '';
  #wideOdd: number | undefined;

  /** Strings completed in this chunk (a run still open at its end waits for the next one). */
  write(chunk: Uint8Array): string {
    const out: string[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] ?? 0;
      if (printable(b)) this.#ascii += String.fromCharCode(b);
      else this.#endAscii(out);
    }
    this.#scanWide(chunk, out);
    return out.join('');
  }

  end(): string {
    const out: string[] = [];
    this.#endAscii(out);
    this.#endWide(out);
    return out.join('');
  }

  #endAscii(out: string[]): void {
    if (this.#ascii.length >= MIN_RUN) out.push(`${this.#ascii}\n`);
    this.#ascii = '';
  }

  #endWide(out: string[]): void {
    this.#endLe(out);
    this.#endBe(out);
  }

  #endLe(out: string[]): void {
    if (this.#wide.length >= MIN_RUN) out.push(`${this.#wide}\n`);
    this.#wide = '';
  }

  #endBe(out: string[]): void {
    if (this.#wideBe.length >= MIN_RUN) out.push(`${this.#wideBe}\n`);
    this.#wideBe = '';
  }

  // UTF-16LE: a printable byte then 0x00, UTF-16BE the other way round, pairwise; pairs may straddle chunk ends
  #scanWide(chunk: Uint8Array, out: string[]): void {
    let i = 0;
    if (this.#wideOdd !== undefined && chunk.length > 0) {
      this.#pair(this.#wideOdd, chunk[0] ?? 0, out);
      i = 1;
    }
    this.#wideOdd = undefined;
    for (; i + 1 < chunk.length; i += 2) this.#pair(chunk[i] ?? 0, chunk[i + 1] ?? 0, out);
    if (i < chunk.length) this.#wideOdd = chunk[i];
  }

  #pair(first: number, second: number, out: string[]): void {
    if (second === 0 && printable(first)) this.#wide += String.fromCharCode(first);
    else this.#endLe(out);
    if (first === 0 && printable(second)) this.#wideBe += String.fromCharCode(second);
    else this.#endBe(out);
  }
}

export function printableStrings(data: Uint8Array): string {
  const s = new PrintableStrings();
  return s.write(data) + s.end();
}

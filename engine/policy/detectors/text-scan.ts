// Text detectors over one text: the unit of scanning. Evaluation scans a held segment lazily, one
// detector at a time; a text too long to hold is scanned window by window as it is decoded, every
// detector at once, and only the merged hits are kept (WindowedScan).
import { RangeStore } from './candidate-scan.js';
import { scanCreditCards } from './credit-card.js';
import { detectionText } from './detection-text.js';
import { type Hits, MAX_SAMPLES, NO_HITS } from './hits.js';
import { scanIbans } from './iban.js';
import { IdentifierScan } from './identifiers/scan.js';
import { countKeywords, keywordHits, type KeywordCounts } from './keywords.js';
import { scanRe2 } from './re2.js';
import { scanUsSsns } from './us-ssn.js';
import type { PolicySet } from '../policy-set.js';
import { edmHits, mergeEdmHits } from '../edm/edm-hits.js';
import { isAsciiText } from '../edm/normalise.js';

/** One text under one policy set; keyword counts and the regex prefilter are computed once per text. */
export class TextScan {
  readonly #set: PolicySet;
  readonly #text: string;
  /** True when the text is ASCII only, without NUL (then it is its own detection text); undefined: not known. */
  readonly #ascii: true | undefined;
  #keywordCounts: KeywordCounts | undefined;
  #regexPossible: boolean | undefined;
  #identifiers: IdentifierScan | undefined;
  readonly #ranges: RangeStore | undefined;

  /** `ranges`: reused buffers for the identifier candidate pass; the scan is then over before the store's next text. */
  constructor(set: PolicySet, text: string, ranges?: RangeStore) {
    this.#set = set;
    // every detector reads the text as a reader sees it (no invisible characters, digits as 0-9); an
    // ASCII text without NUL is that already (detectionText maps only characters above U+00A0, and drops
    // NUL where a reader does), and one test tells both this and the keyword scan so
    this.#ascii = isAsciiText(text) && !text.includes('\0') ? true : undefined;
    this.#text = this.#ascii === true ? text : detectionText(text);
    this.#ranges = ranges;
  }

  hits(id: number): Hits {
    const d = this.#set.textDetectors[id];
    if (d === undefined) throw new Error(`RG_POL_INTERNAL: no detector ${id}`);
    const text = this.#text;
    switch (d.kind) {
      case 'creditCardNumber':
        return scanCreditCards(text);
      case 'usSsn':
        return scanUsSsns(text);
      case 'iban':
        return scanIbans(text);
      case 'regex':
        return this.#regexMayMatch() ? scanRe2(d.re, text) : NO_HITS;
      case 'keywords':
        this.#keywordCounts ??= countKeywords(this.#set.keywords, text, this.#ascii);
        return keywordHits(d.ref, this.#keywordCounts, this.#set.keywords);
      case 'identifier':
        this.#identifiers ??= new IdentifierScan(text, this.#set.identifierCandidates, this.#ranges, this.#ascii === true);
        return this.#identifiers.hits(d.identifiers, d.confidence);
      case 'exactData':
        return edmHits(d.index, text, this.#ascii); // known ASCII: the EDM scan does not test it again
      default: {
        const never: never = d;
        throw new Error(`RG_POL_INTERNAL: unknown detector ${JSON.stringify(never)}`);
      }
    }
  }

  #regexMayMatch(): boolean {
    const prefilter = this.#set.regexPrefilter;
    if (prefilter === undefined) return true;
    this.#regexPossible ??= prefilter.test(this.#text);
    return this.#regexPossible;
  }
}

/** Every text detector of a set over consecutive windows of one long text, hits merged per detector. */
export class WindowedScan {
  readonly #set: PolicySet;
  readonly #counts: number[];
  readonly #samples: string[][];
  readonly #edm: (Hits | undefined)[] = [];
  /** The windows' candidate ranges, one window after another in the same buffers (see RangeStore). */
  readonly #ranges = new RangeStore();
  /** The same for the overlap scanned by itself, which is read while the window's scan is still in use. */
  readonly #overlapRanges = new RangeStore();

  constructor(set: PolicySet) {
    this.#set = set;
    this.#counts = set.textDetectors.map(() => 0);
    this.#samples = set.textDetectors.map(() => []);
  }

  /**
   * The first `overlapChars` of `window` are the end of the previous window, scanned again so that a value
   * across the cut is found; what they hold by themselves was counted with the previous window and is not
   * counted twice (EDM merges records, so it needs no such subtraction).
   */
  scan(window: string, overlapChars = 0): void {
    if (window.length <= overlapChars) return;
    const scan = new TextScan(this.#set, window, this.#ranges);
    // the overlap is scanned only for a detector that found something in the window
    let before: TextScan | undefined;
    const overlap = (): TextScan => (before ??= new TextScan(this.#set, window.slice(0, overlapChars), this.#overlapRanges));
    for (let id = 0; id < this.#counts.length; id++) {
      const hits = scan.hits(id);
      const d = this.#set.textDetectors[id];
      if (hits.edm !== undefined && d?.kind === 'exactData') this.#edm[id] = mergeEdmHits(d.index, this.#edm[id], hits);
      const fresh = hits.count === 0 || overlapChars === 0 || d?.kind === 'exactData' ? hits.count : hits.count - overlap().hits(id).count;
      if (fresh <= 0) continue;
      this.#counts[id] = (this.#counts[id] ?? 0) + fresh;
      const kept = this.#samples[id] ?? [];
      for (const s of hits.samples) if (kept.length < MAX_SAMPLES && !kept.includes(s)) kept.push(s);
    }
  }

  /** Hits per text detector id (PolicySet.textDetectors order). */
  result(): readonly Hits[] {
    return this.#counts.map((count, id) => this.#edm[id] ?? (count === 0 ? NO_HITS : Object.freeze({ count, samples: Object.freeze(this.#samples[id] ?? []) })));
  }
}

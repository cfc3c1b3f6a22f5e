// Admission control: the bytes of all messages being received, inspected and relayed at once are
// bounded gateway-wide (gateway.inspection.maxConcurrentBytes), not only per message. A message holds
// a reservation from DATA start (its declared SIZE, grown as bytes arrive beyond it) until its
// transaction ends; one that does not fit is answered 451 4.3.2 and the upstream retries later.
// One budget per EngineServices (one per process: every graph generation shares it, so a reload does
// not reset what in-flight messages hold); with cluster workers, each worker has its own.
import { reply } from '../reply.js';
import type { SmtpReply } from '../reply.js';

export const GATEWAY_BUSY: SmtpReply = reply(451, '4.3.2', 'gateway busy, try again later');

export class AdmissionBudget {
  #limit: number;
  #inUse = 0;
  #holders = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get inUse(): number {
    return this.#inUse;
  }

  get limit(): number {
    return this.#limit;
  }

  /** The newest graph's limit applies to new reservations; what is held stays held. */
  setLimit(limit: number): void {
    this.#limit = limit;
  }

  reserve(): Reservation {
    return new Reservation(this);
  }

  /** @internal Reservation only. A lone message is always admitted, so one message never starves. */
  take(bytes: number, first: boolean): boolean {
    // holders counts this reservation too once it holds bytes
    const alone = this.#holders === (first ? 0 : 1);
    if (!alone && this.#inUse + bytes > this.#limit) return false;
    this.#inUse += bytes;
    if (first) this.#holders++;
    return true;
  }

  /** @internal Reservation only. */
  give(bytes: number, last: boolean): void {
    this.#inUse -= bytes;
    if (last) this.#holders--;
  }
}

/** One message's share of the budget; released exactly once, however the transaction ends. */
export class Reservation {
  readonly #budget: AdmissionBudget;
  #bytes = 0;
  #holding = false;
  #released = false;

  constructor(budget: AdmissionBudget) {
    this.#budget = budget;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Makes sure at least `total` bytes are reserved; false when the budget cannot give them. */
  ensure(total: number): boolean {
    if (this.#released) return false;
    if (total <= this.#bytes) return true;
    const more = total - this.#bytes;
    if (!this.#budget.take(more, !this.#holding)) return false;
    this.#holding = true;
    this.#bytes = total;
    return true;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#holding) this.#budget.give(this.#bytes, true);
    this.#bytes = 0;
  }
}

const budgets = new WeakMap<object, AdmissionBudget>();

export function admissionBudget(services: object, limit: number): AdmissionBudget {
  let b = budgets.get(services);
  if (b === undefined) budgets.set(services, (b = new AdmissionBudget(limit)));
  else b.setLimit(limit);
  return b;
}

/** The SIZE the client declared at MAIL (RFC 1870), if it is a sane number. */
export function declaredSize(args: unknown): number | undefined {
  const size = typeof args === 'object' && args !== null ? (args as Record<string, unknown>)['SIZE'] : undefined;
  return typeof size === 'string' && /^\d{1,15}$/.test(size) ? Number(size) : undefined;
}

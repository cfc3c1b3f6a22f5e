// The admin HTTP listener across reloads: a changed address binds the new one before the old closes,
// and a bind failure fails the reload like a busy SMTP port does.
import type { AdminAuth, AdminServer, AdminServerOptions } from './admin-server.js';

export type StartAdmin = (opts: AdminServerOptions) => Promise<AdminServer>;
export type AdminEndpoint = { readonly address: string; readonly port: number; readonly auth?: AdminAuth };

export interface PreparedAdmin {
  commit(): void;
  rollback(): void;
}

const NOTHING: PreparedAdmin = { commit: () => undefined, rollback: () => undefined };

export class AdminSlot {
  readonly #start: StartAdmin;
  readonly #base: Omit<AdminServerOptions, 'address' | 'port'>;
  #server: AdminServer | undefined;
  #endpoint: AdminEndpoint | undefined;
  /** Swapped with each commit, read by the server per request: a new token needs no rebind. */
  #auth: AdminAuth | undefined;

  constructor(start: StartAdmin, base: Omit<AdminServerOptions, 'address' | 'port'>) {
    this.#start = start;
    this.#base = base;
  }

  get server(): AdminServer | undefined {
    return this.#server;
  }

  async prepare(wanted: AdminEndpoint | undefined): Promise<PreparedAdmin> {
    if (sameEndpoint(wanted, this.#endpoint)) {
      if (wanted?.auth === this.#auth) return NOTHING;
      return { commit: () => void (this.#auth = wanted?.auth), rollback: () => undefined };
    }
    // Until commit the new listener already enforces the new graph's auth: never an open window.
    let live = false;
    const auth = (): AdminAuth | undefined => (live ? this.#auth : wanted?.auth);
    const next = wanted === undefined ? undefined : await this.#start({ ...this.#base, address: wanted.address, port: wanted.port, auth });
    const old = this.#server;
    return {
      commit: () => {
        this.#server = next;
        this.#endpoint = wanted;
        this.#auth = wanted?.auth;
        live = true;
        void old?.close();
      },
      rollback: () => void next?.close(),
    };
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    this.#endpoint = undefined;
    await s?.close();
  }
}

function sameEndpoint(a: AdminEndpoint | undefined, b: AdminEndpoint | undefined): boolean {
  return a?.address === b?.address && a?.port === b?.port;
}

// The admin HTTP listener across reloads: a changed address binds the new one before the old closes,
// and a bind failure fails the reload like a busy SMTP port does. A renewed certificate or client CA
// swaps the secure context in place; a switch between HTTP and HTTPS (or of the client-certificate
// mode) on the same port has to close the old listener first, since both cannot own the port.
import type { AdminAuth, AdminServer, AdminServerOptions } from './admin-server.js';
import type { AdminTlsSettings } from '../graph/admin-settings.js';

export type StartAdmin = (opts: AdminServerOptions) => Promise<AdminServer>;
export type AdminEndpoint = { readonly address: string; readonly port: number; readonly auth?: AdminAuth; readonly tls?: AdminTlsSettings };

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
    const current = this.#endpoint;
    if (sameEndpoint(wanted, current) && sameScheme(wanted?.tls, current?.tls)) {
      const renewed = wanted?.tls !== undefined && !sameMaterial(wanted.tls, current?.tls);
      if (wanted?.auth === this.#auth && !renewed) return NOTHING;
      return {
        commit: () => {
          this.#auth = wanted?.auth;
          this.#endpoint = wanted;
          if (renewed && wanted?.tls) this.#server?.setTls(wanted.tls);
        },
        rollback: () => undefined,
      };
    }
    if (sameEndpoint(wanted, current) && wanted !== undefined) await this.#releasePort();
    // Until commit the new listener already enforces the new graph's auth: never an open window.
    let live = false;
    const auth = (): AdminAuth | undefined => (live ? this.#auth : wanted?.auth);
    let next: AdminServer | undefined;
    try {
      next = wanted === undefined ? undefined : await this.#start({ ...this.#base, address: wanted.address, port: wanted.port, auth, ...(wanted.tls ? { tls: wanted.tls } : {}) });
    } catch (err) {
      if (this.#server === undefined && current !== undefined) await this.#restore(current);
      throw err;
    }
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

  async #releasePort(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    await s?.close();
  }

  /** The new scheme could not bind: the old listener comes back, so a failed reload changes nothing. */
  async #restore(previous: AdminEndpoint): Promise<void> {
    const auth = (): AdminAuth | undefined => this.#auth;
    this.#server = await this.#start({ ...this.#base, address: previous.address, port: previous.port, auth, ...(previous.tls ? { tls: previous.tls } : {}) }).catch(() => undefined);
  }
}

function sameEndpoint(a: AdminEndpoint | undefined, b: AdminEndpoint | undefined): boolean {
  return a?.address === b?.address && a?.port === b?.port;
}

function sameScheme(a: AdminTlsSettings | undefined, b: AdminTlsSettings | undefined): boolean {
  return (a === undefined) === (b === undefined) && a?.clientCertificate === b?.clientCertificate;
}

function sameMaterial(a: AdminTlsSettings, b: AdminTlsSettings | undefined): boolean {
  const o = a.options;
  const p = b?.options;
  return p !== undefined && o.cert === p.cert && o.key === p.key && (o.ca ?? []).join('\n') === (p.ca ?? []).join('\n');
}

// What the runtime tells the engine about an accepted socket (re-exported from engine-api.ts).

export interface ConnectionMeta {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** true when remoteAddress/remotePort came from a PROXY protocol header. */
  readonly proxied: boolean;
}

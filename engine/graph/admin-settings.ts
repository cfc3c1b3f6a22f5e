// The compiled admin listener (gateway.admin): what the runtime's admin server is built from.

export type AdminEndpoint = '/healthz' | '/readyz' | '/metrics' | '/status';

export interface AdminSettings {
  readonly address: string;
  readonly port: number;
  readonly auth?: { readonly tokenSha256: Buffer; readonly tokenFile: string; readonly open: readonly AdminEndpoint[] };
}

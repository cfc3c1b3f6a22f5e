// The admin HTTP listener: /healthz, /readyz, /metrics, /status. Read-only (GET/HEAD), bound only
// to the configured address, no framework: four routes do not need one. With gateway.admin.tls it is
// HTTPS, and with a client CA OpenSSL verifies client certificates in the handshake.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { GatewayMetrics } from './metrics.js';
import { notReadyReason } from './status.js';
import type { StatusSnapshot } from './status.js';
import type { AdminSettings } from '../graph/types.js';
import { DEFAULT_OPEN, adminSecureContextOptions } from '../graph/compile-admin.js';
import type { AdminTlsSettings } from '../graph/admin-settings.js';

/** `true`, `false` (the reason is then taken from the status), or an explicit verdict. */
export type Readiness = boolean | { readonly ready: boolean; readonly reason?: string };

export interface AdminServerOptions {
  readonly address: string;
  /** 0 picks a free port (tests); the bound port is returned. */
  readonly port: number;
  readonly ready: () => Readiness;
  readonly status: () => StatusSnapshot;
  readonly metrics: Pick<GatewayMetrics, 'render' | 'contentType'>;
  readonly logger: Logger;
  /** gateway.admin.auth of the running graph (read per request, so a rotated token applies at once). */
  readonly auth?: () => AdminAuth | undefined;
  /** gateway.admin.tls when the listener starts: HTTPS, and how client certificates are asked for. */
  readonly tls?: AdminTlsSettings;
}

export type AdminAuth = NonNullable<AdminSettings['auth']>;

export interface AdminServer {
  readonly address: string;
  readonly port: number;
  /** New certificate, key or client CA for new handshakes (same scheme and client-certificate mode). */
  setTls(tls: AdminTlsSettings): void;
  close(): Promise<void>;
}

export class AdminServerError extends Error {
  readonly code = 'RG_ADMIN_BIND';

  constructor(address: string, port: number, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`admin HTTP listener could not bind ${address}:${port}: ${detail}`, { cause });
    this.name = 'AdminServerError';
  }
}

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const text = (status: number, body: string, headers?: Record<string, string>): Reply => ({ status, contentType: TEXT, body: `${body}\n`, ...(headers ? { headers } : {}) });

function readyReply(opts: AdminServerOptions): Reply {
  const verdict = opts.ready();
  const ready = typeof verdict === 'boolean' ? verdict : verdict.ready;
  if (ready) return text(200, 'ready');
  const explicit = typeof verdict === 'boolean' ? undefined : verdict.reason;
  return text(503, `not ready: ${explicit ?? notReadyReason(opts.status()) ?? 'starting'}`);
}

async function route(path: string, opts: AdminServerOptions): Promise<Reply> {
  switch (path) {
    case '/healthz':
      return text(200, 'ok');
    case '/readyz':
      return readyReply(opts);
    case '/metrics':
      return { status: 200, contentType: opts.metrics.contentType, body: await opts.metrics.render() };
    case '/status':
      return { status: 200, contentType: JSON_TYPE, body: `${JSON.stringify(opts.status(), null, 2)}\n` };
    default:
      return text(404, 'not found (try /healthz, /readyz, /metrics, /status)');
  }
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...reply.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function handler(opts: AdminServerOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, text(405, 'method not allowed', { allow: 'GET, HEAD' }));
      return;
    }
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const auth = opts.auth?.();
    if (!allowed(req, path, auth, opts.tls?.clientCertificate ?? 'none')) {
      opts.logger.warn({ code: 'RG_ADMIN_UNAUTHORIZED', path, remoteAddress: req.socket.remoteAddress }, `admin ${path} refused: no valid bearer token or client certificate`);
      const how = auth ? 'send Authorization: Bearer <token> (gateway.admin.auth.bearerTokenFile)' : '';
      const cert = opts.tls?.clientCertificate === 'optional' ? 'present a client certificate issued by gateway.admin.tls.clientCa' : '';
      send(req, res, text(401, `unauthorized: ${[how, cert].filter(Boolean).join(' or ')}`, auth ? { 'www-authenticate': 'Bearer realm="relayguard"' } : {}));
      return;
    }
    route(path, opts).then(
      (reply) => send(req, res, reply),
      (err: unknown) => {
        opts.logger.error({ event: 'admin-error', path, err }, `admin ${path} failed`);
        send(req, res, text(500, 'internal error'));
      },
    );
  };
}

// A certificate OpenSSL verified against gateway.admin.tls.clientCa authorizes like the token; with
// requireClientCertificate every connection carries one, so only the optional mode reaches the token.
function allowed(req: IncomingMessage, path: string, auth: AdminAuth | undefined, certificates: AdminTlsSettings['clientCertificate']): boolean {
  if (auth === undefined && certificates !== 'optional') return true;
  if ((auth?.open ?? DEFAULT_OPEN).includes(path as AdminAuth['open'][number])) return true;
  if (certificates !== 'none' && (req.socket as TLSSocket).authorized === true) return true;
  return auth !== undefined && authorized(req, auth);
}

// Hashing both sides first makes the comparison constant-time whatever the presented length.
function authorized(req: IncomingMessage, auth: AdminAuth): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (match === null) return false;
  const presented = createHash('sha256').update(match[1] ?? '').digest();
  return timingSafeEqual(presented, auth.tokenSha256);
}

function createAdminServer(opts: AdminServerOptions): Server | HttpsServer {
  const t = opts.tls;
  if (t === undefined) return createServer(handler(opts));
  const server = createHttpsServer(
    { ...adminSecureContextOptions(t.options), requestCert: t.clientCertificate !== 'none', rejectUnauthorized: t.clientCertificate === 'required' },
    handler(opts),
  );
  server.on('tlsClientError', (err, socket) => {
    opts.logger.warn({ code: 'RG_ADMIN_TLS_REFUSED', remoteAddress: socket.remoteAddress, err: err.message }, `admin TLS handshake refused: ${err.message}`);
  });
  // Optional mode: no certificate may pass (the token or auth.open decide), a certificate that does not verify may not.
  if (t.clientCertificate === 'optional') {
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      if (socket.authorized || Object.keys(socket.getPeerCertificate()).length === 0) return;
      opts.logger.warn({ code: 'RG_ADMIN_TLS_REFUSED', remoteAddress: socket.remoteAddress, err: String(socket.authorizationError) }, `admin client certificate refused: ${String(socket.authorizationError)} (not issued by gateway.admin.tls.clientCa)`);
      socket.destroy();
    });
  }
  return server;
}

function listen(server: Server | HttpsServer, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new AdminServerError(address, port, err));
    server.once('error', onError);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const server = createAdminServer(opts);
  // Scrapers and probes keep connections alive; a short idle timeout keeps close() prompt.
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_err, socket) => socket.destroy());
  const port = await listen(server, opts.address, opts.port);
  const scheme = opts.tls ? 'HTTPS' : 'HTTP';
  opts.logger.info({ event: 'admin-listening', address: opts.address, port, scheme, clientCertificate: opts.tls?.clientCertificate }, `admin ${scheme} on ${opts.address}:${port}`);
  let closed: Promise<void> | undefined;
  return {
    address: opts.address,
    port,
    setTls(tls) {
      if (!('setSecureContext' in server)) throw new Error('the admin listener was started without TLS');
      server.setSecureContext(adminSecureContextOptions(tls.options));
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

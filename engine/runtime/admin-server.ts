// The admin HTTP listener: /healthz, /readyz, /metrics, /status. Read-only (GET/HEAD), bound only
// to the configured address, no framework: four routes do not need one.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayMetrics } from './metrics.js';
import { notReadyReason } from './status.js';
import type { StatusSnapshot } from './status.js';
import type { AdminSettings } from '../graph/types.js';

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
}

export type AdminAuth = NonNullable<AdminSettings['auth']>;

export interface AdminServer {
  readonly address: string;
  readonly port: number;
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
    if (auth !== undefined && !auth.open.includes(path as AdminAuth['open'][number]) && !authorized(req, auth)) {
      opts.logger.warn({ code: 'RG_ADMIN_UNAUTHORIZED', path, remoteAddress: req.socket.remoteAddress }, `admin ${path} refused: no valid bearer token`);
      send(req, res, text(401, 'unauthorized: send Authorization: Bearer <token> (gateway.admin.auth.bearerTokenFile)', { 'www-authenticate': 'Bearer realm="relayguard"' }));
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

// Hashing both sides first makes the comparison constant-time whatever the presented length.
function authorized(req: IncomingMessage, auth: AdminAuth): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (match === null) return false;
  const presented = createHash('sha256').update(match[1] ?? '').digest();
  return timingSafeEqual(presented, auth.tokenSha256);
}

function listen(server: Server, address: string, port: number): Promise<number> {
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
  const server = createServer(handler(opts));
  // Scrapers and probes keep connections alive; a short idle timeout keeps close() prompt.
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_err, socket) => socket.destroy());
  const port = await listen(server, opts.address, opts.port);
  opts.logger.info({ event: 'admin-listening', address: opts.address, port }, `admin HTTP on ${opts.address}:${port}`);
  let closed: Promise<void> | undefined;
  return {
    address: opts.address,
    port,
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

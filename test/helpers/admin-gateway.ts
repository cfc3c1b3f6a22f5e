// A real gateway (real SMTP engine, recording receiving MTA) with its admin listener on a free port,
// configured per test through gateway.admin, plus an HTTP(S) GET for the admin endpoints.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { GatewayMetrics } from '../../engine/runtime/metrics.js';
import { blockSubjectPolicy, policyText, topologyText } from '../doubles/config-fixture.js';
import { freePorts } from './ports.js';
import { startRecordingMta } from './recording-mta.js';
import type { RecordingMta } from './recording-mta.js';

export type Cleanups = (() => Promise<void> | void)[];

export interface AdminGatewayOptions {
  /** Merged into gateway.admin (address and port are set already). */
  readonly admin?: (root: string) => Record<string, unknown>;
  readonly graceMs?: number;
  readonly watch?: boolean;
  readonly logger?: pino.Logger;
}

export interface AdminGateway {
  readonly gw: Gateway;
  readonly root: string;
  readonly dir: string;
  readonly smtpPort: number;
  readonly adminPort: number;
  readonly mta: RecordingMta;
  readonly metrics: GatewayMetrics;
  /** Rewrites topology.yaml with another gateway.admin addition (then reload or let the watcher see it). */
  writeTopology(admin: Record<string, unknown>): void;
}

export async function startAdminGateway(cleanups: Cleanups, opts: AdminGatewayOptions = {}): Promise<AdminGateway> {
  const root = mkdtempSync(join(tmpdir(), 'rg-admin-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const mta = await startRecordingMta();
  cleanups.push(() => mta.close());
  const [smtpPort = 0, adminPort = 0] = await freePorts(2);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  const writeTopology = (admin: Record<string, unknown>): void => {
    const topology = parse(topologyText({ listen: [{ port: smtpPort }], receiverPort: mta.port, adminPort, graceMs: opts.graceMs ?? 5_000 })) as { gateway: { admin: Record<string, unknown> } };
    topology.gateway.admin = { ...topology.gateway.admin, ...admin };
    writeFileSync(join(dir, 'topology.yaml'), stringify(topology));
  };
  writeTopology(opts.admin?.(root) ?? {});
  writeFileSync(join(dir, 'falcon.policy.yaml'), policyText(blockSubjectPolicy('falcon')));
  const metrics = createMetrics({ defaultMetrics: false });
  const gw = await Gateway.start(dir, { logger: opts.logger ?? pino({ level: process.env.RG_TEST_LOG ?? 'silent' }), metrics, watch: opts.watch ?? false, ...(opts.watch ? { debounceMs: 50 } : {}) });
  cleanups.push(() => gw.shutdown(1000));
  return { gw, root, dir, smtpPort, adminPort, mta, metrics, writeTopology };
}

export interface AdminReply {
  readonly status: number;
  readonly body: string;
}

export interface AdminGetOptions {
  readonly authorization?: string;
  /** HTTPS with these client options (ca, cert, key, servername); plain HTTP without. */
  readonly tls?: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'servername'>;
}

/** One GET on a fresh connection (no agent): every call makes its own handshake. */
export function adminGet(port: number, path: string, opts: AdminGetOptions = {}): Promise<AdminReply> {
  return new Promise((resolve, reject) => {
    const headers = opts.authorization === undefined ? {} : { authorization: opts.authorization };
    const base = { host: '127.0.0.1', port, path, agent: false as const, headers };
    const onResponse = (res: import('node:http').IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = opts.tls ? httpsRequest({ ...base, ...opts.tls }, onResponse) : httpRequest(base, onResponse);
    req.on('error', reject);
    req.end();
  });
}

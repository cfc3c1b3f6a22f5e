// `serve --dev`: local capture MTAs where the example config expects receiving MTAs, so a newcomer sees
// mail flow end to end (`npm install && npm start`, then swaks). Each message lands as an .eml file
// in var/dev-mail/<name>/. Development aid only: nothing here runs without --dev.
import { existsSync, mkdirSync, readFileSync, createWriteStream } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { RoutingGraph } from '../graph/types.js';

export interface DevMtaTarget {
  /** Receiver name, or the upstream's name for its re-injection port. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface DevMtaInfo extends DevMtaTarget {
  readonly dir: string;
  readonly starttls: boolean;
}

export interface DevMail {
  readonly mtas: readonly DevMtaInfo[];
  close(): Promise<void>;
}

export interface DevMailOptions {
  readonly logger: Logger;
  /** Where var/dev-mail goes. Default: the working directory. */
  readonly root?: string;
  /** Where peers/NAME.{crt,key}.pem are looked up. Default: the gateway certificate's directory, else ./certs. */
  readonly certsDir?: string;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Receivers on loopback, and reflect upstreams whose re-injection port is on loopback. */
export function devMtaTargets(graph: RoutingGraph): readonly DevMtaTarget[] {
  const targets = new Map<string, DevMtaTarget>();
  const add = (t: DevMtaTarget): void => void (targets.has(`${t.host}|${t.port}`) || targets.set(`${t.host}|${t.port}`, t));
  for (const r of graph.receivers.values()) if (isLoopback(r.host)) add({ name: r.name, host: r.host, port: r.port });
  for (const u of graph.upstreams) {
    if (u.mode !== 'reflect' || u.reflect === undefined) continue;
    // No host: mail goes back to the address the upstream connected from; on a laptop that is 127.0.0.1.
    const host = u.reflect.host ?? (u.addresses.some((a) => a.startsWith('127.')) ? '127.0.0.1' : undefined);
    if (host !== undefined && isLoopback(host)) add({ name: u.name, host, port: u.reflect.port });
  }
  return [...targets.values()];
}

function peerTls(certsDir: string, name: string): { key: string; cert: string } | undefined {
  const cert = join(certsDir, 'peers', `${name}.crt.pem`);
  const key = join(certsDir, 'peers', `${name}.key.pem`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

async function startOne(target: DevMtaTarget, certsDir: string, root: string, logger: Logger): Promise<{ info: DevMtaInfo; server: SMTPServer } | undefined> {
  const tls = peerTls(certsDir, target.name);
  const dir = resolve(root, 'var', 'dev-mail', target.name);
  mkdirSync(dir, { recursive: true });
  let seq = 0;
  const server = new SMTPServer({
    name: `${target.name}.example.test`,
    banner: 'relayguard dev capture MTA',
    disabledCommands: ['AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    hideSTARTTLS: tls === undefined,
    ...(tls !== undefined ? { key: tls.key, cert: tls.cert } : {}),
    onData: (stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void) => {
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++seq).padStart(4, '0')}.eml`);
      pipeline(stream, createWriteStream(file)).then(
        () => {
          const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
          const to = session.envelope.rcptTo.map((r) => r.address);
          logger.info({ code: 'RG_DEV_MAIL', mta: target.name, from, to, file: relative(process.cwd(), file) }, `dev MTA ${target.name}: message from <${from}> to ${to.map((t) => `<${t}>`).join(', ')} saved as ${relative(process.cwd(), file)}`);
          cb(null, `OK: captured as ${target.name}-${seq}`);
        },
        (err: Error) => cb(err),
      );
    },
  });
  server.on('error', (err) => logger.warn({ err, mta: target.name }, 'dev MTA error'));
  const bound = await new Promise<boolean>((done) => {
    server.server.once('error', () => done(false));
    server.listen(target.port, target.host, () => done(true));
  });
  if (!bound) {
    logger.info({ mta: target.name, port: target.port }, `dev MTA ${target.name}: ${target.host}:${target.port} is in use, assuming a real MTA listens there`);
    return undefined;
  }
  if (tls === undefined) logger.warn({ mta: target.name }, `dev MTA ${target.name}: no ${join(certsDir, 'peers', `${target.name}.crt.pem`)}, STARTTLS is off (relayguard certs issue ${target.name} --hostname ${target.name}.example.test)`);
  logger.info({ mta: target.name, host: target.host, port: target.port, starttls: tls !== undefined }, `dev MTA ${target.name} on ${target.host}:${target.port} → var/dev-mail/${target.name}/`);
  return { info: { ...target, dir, starttls: tls !== undefined }, server };
}

export async function startDevMail(graph: RoutingGraph, opts: DevMailOptions): Promise<DevMail> {
  const root = opts.root ?? process.cwd();
  const identity = graph.gateway.tls.identity;
  const certsDir = opts.certsDir ?? (identity !== undefined ? dirname(identity.certificateFile) : resolve(root, 'certs'));
  const started = (await Promise.all(devMtaTargets(graph).map((t) => startOne(t, certsDir, root, opts.logger)))).filter((s) => s !== undefined);
  process.stdout.write(tryItBanner(graph, started.map((s) => s.info)));
  return {
    mtas: started.map((s) => s.info),
    close: async () => {
      await Promise.all(started.map((s) => new Promise<void>((done) => s.server.close(() => done()))));
    },
  };
}

/** A few lines a newcomer can paste: which command sends a message, as which upstream, and where it lands. */
export function tryItBanner(graph: RoutingGraph, mtas: readonly DevMtaInfo[]): string {
  const listener = graph.listeners[0];
  if (listener === undefined) return '';
  const host = listener.address === '0.0.0.0' || listener.address === '::' ? '127.0.0.1' : listener.address;
  const server = host.includes(':') ? `[${host}]:${listener.port}` : `${host}:${listener.port}`;
  const domain = graph.routes.flatMap((r) => r.domains).find((d) => !d.includes('*')) ?? 'example.org';
  const lines = ['', 'relayguard --dev: try it'];
  for (const { upstream, from } of loopbackUpstreams(graph)) {
    const local = from === '127.0.0.1' ? '' : ` --local-interface ${from}`;
    const tls = upstream.inbound.starttls === 'disabled' ? '' : ' --tls';
    const swaks = `swaks --server ${server}${tls}${local} --from alice@corp.example --to bob@${domain}`;
    const lands = upstream.mode === 'reflect' ? `reflected back to ${upstream.name}` : 'forwarded to the receiver its route picks';
    lines.push(`  # as upstream ${upstream.name} (${upstream.mode}): ${lands}`, `  ${swaks}`, `  ${swaks} --body 'card 4111 1111 1111 1111'`);
  }
  lines.push('  # captured mail:', ...mtas.map((m) => `  ${m.name.padEnd(14)} ${m.host}:${m.port}${m.starttls ? ' (STARTTLS)' : ''} → ${relative(process.cwd(), m.dir) || m.dir}/`), '');
  return `${lines.join('\n')}\n`;
}

/** Upstreams a local swaks can impersonate: one loopback source address each (127.0.0.1 first). */
function loopbackUpstreams(graph: RoutingGraph): readonly { readonly upstream: RoutingGraph['upstreams'][number]; readonly from: string }[] {
  const found: { upstream: RoutingGraph['upstreams'][number]; from: string }[] = [];
  for (const upstream of graph.upstreams) {
    const own = upstream.addresses.map((a) => a.replace(/\/32$/, '')).filter((a) => /^127\.\d+\.\d+\.\d+$/.test(a));
    const from = ['127.0.0.1', ...own].find((a) => graph.upstreamByAddress.lookup(a) === upstream);
    if (from !== undefined) found.push({ upstream, from });
  }
  return found;
}

// `certs probe`: connect to an MTA the way the gateway would (plain TLS or SMTP STARTTLS) and
// collect the certificate chain it presents.
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { createStandaloneClientTlsOptions } from './secure-context.js';
import type { TlsIdentityPem } from './secure-context.js';
import { peerChainOf } from './trust.js';
import type { PeerChain } from './trust.js';
import { SmtpReplyReader, replyText } from './smtp-reply-reader.js';
import type { SmtpReply } from './smtp-reply-reader.js';

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  readonly starttls: boolean;
  readonly servername?: string;
  readonly timeoutMs: number;
  readonly ehloName: string;
  /** Present this certificate as client, like the gateway does. */
  readonly identity?: TlsIdentityPem;
  /** CA certificates OpenSSL verifies the chain against (the trust list's anchors). */
  readonly ca?: readonly string[];
}

export interface ProbeSuccess {
  readonly ok: true;
  readonly chain: PeerChain;
  readonly protocol: string;
  readonly cipher: string;
  readonly banner?: string;
}

export type ProbeErrorCode = 'RG_PROBE_REFUSED' | 'RG_PROBE_TIMEOUT' | 'RG_PROBE_NO_STARTTLS' | 'RG_PROBE_SMTP' | 'RG_PROBE_TLS' | 'RG_PROBE_CONNECT';

export interface ProbeFailure {
  readonly ok: false;
  readonly error: { readonly code: ProbeErrorCode; readonly message: string; readonly hint: string };
}

export type ProbeResult = ProbeSuccess | ProbeFailure;

class ProbeAbort extends Error {
  readonly code: ProbeErrorCode;
  readonly hint: string;
  constructor(code: ProbeErrorCode, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

export async function probePeer(opts: ProbeOptions): Promise<ProbeResult> {
  const sockets: Socket[] = [];
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    for (const s of sockets) s.destroy(new Error('probe timed out'));
  }, opts.timeoutMs);
  try {
    return await runProbe(opts, sockets);
  } catch (err) {
    return { ok: false, error: toProbeError(err, opts, timedOut) };
  } finally {
    clearTimeout(timer);
    for (const s of sockets) s.destroy();
  }
}

async function runProbe(opts: ProbeOptions, sockets: Socket[]): Promise<ProbeSuccess> {
  const tlsOptions = createStandaloneClientTlsOptions(opts.identity, { servername: opts.servername ?? opts.host, ...(opts.ca ? { ca: opts.ca } : {}) });
  if (!opts.starttls) {
    const tls = tlsConnect({ host: opts.host, port: opts.port, ...tlsOptions });
    track(sockets, tls);
    await once(tls, 'secureConnect');
    return summarize(tls);
  }
  const plain = netConnect({ host: opts.host, port: opts.port });
  track(sockets, plain);
  await once(plain, 'connect');
  const reader = new SmtpReplyReader(plain);
  const banner = await expectReply(reader, 220, 'the greeting');
  plain.write(`EHLO ${opts.ehloName}\r\n`);
  const ehlo = await expectReply(reader, 250, 'EHLO');
  if (!ehlo.lines.some((l) => /^250[ -]STARTTLS\b/i.test(l))) {
    plain.write('QUIT\r\n');
    throw new ProbeAbort(
      'RG_PROBE_NO_STARTTLS',
      `${opts.host}:${opts.port} does not offer STARTTLS (EHLO reply: ${replyText(ehlo)})`,
      'enable TLS on that MTA (Postfix: smtpd_tls_security_level = may, with smtpd_tls_cert_file and smtpd_tls_key_file)',
    );
  }
  plain.write('STARTTLS\r\n');
  await expectReply(reader, 220, 'STARTTLS');
  const tls = tlsConnect({ socket: plain, ...tlsOptions });
  // The TLS socket now owns the plain one; destroying both separately crashes Node 20 (segfault).
  sockets.splice(sockets.indexOf(plain), 1);
  track(sockets, tls);
  await once(tls, 'secureConnect');
  const result = summarize(tls, banner.lines.join(' '));
  // Leave politely (EHLO again is not needed for QUIT); a server that hangs up first is fine too.
  tls.write('QUIT\r\n');
  await new SmtpReplyReader(tls).read().catch(() => undefined);
  return result;
}

/** Errors that matter are caught by `once`; the rest (teardown after destroy) must not crash the CLI. */
function track(sockets: Socket[], socket: Socket): void {
  socket.on('error', () => undefined);
  sockets.push(socket);
}

function summarize(tls: TLSSocket, banner?: string): ProbeSuccess {
  const chain = peerChainOf(tls);
  const protocol = tls.getProtocol() ?? 'unknown';
  const cipher = tls.getCipher()?.name ?? 'unknown';
  return banner === undefined ? { ok: true, chain, protocol, cipher } : { ok: true, chain, protocol, cipher, banner };
}

async function expectReply(reader: SmtpReplyReader, code: number, step: string): Promise<SmtpReply> {
  const reply = await reader.read();
  if (reply.code !== code) {
    throw new ProbeAbort('RG_PROBE_SMTP', `unexpected reply to ${step}: ${replyText(reply)}`, 'is this an SMTP port? for implicit TLS (port 465) drop --starttls');
  }
  return reply;
}

function once(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.off(event, onEvent);
      reject(err);
    };
    const onEvent = (): void => {
      socket.off('error', onError);
      resolve();
    };
    socket.once(event, onEvent).once('error', onError);
  });
}

function toProbeError(err: unknown, opts: ProbeOptions, timedOut: boolean): ProbeFailure['error'] {
  const target = `${opts.host}:${opts.port}`;
  if (err instanceof ProbeAbort) return { code: err.code, message: err.message, hint: err.hint };
  if (timedOut) {
    return {
      code: 'RG_PROBE_TIMEOUT',
      message: `no answer from ${target} within ${opts.timeoutMs} ms`,
      hint: opts.starttls ? 'check host, port and firewall; if the port expects TLS from the first byte (465), drop --starttls' : 'check host, port and firewall; if the port speaks plain SMTP first, add --starttls',
    };
  }
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const detail = err instanceof Error ? err.message : String(err);
  if (code === 'ECONNREFUSED') return { code: 'RG_PROBE_REFUSED', message: `connection to ${target} refused`, hint: 'is the MTA listening on that address and port?' };
  if (code.startsWith('ERR_SSL') || /ssl|tls/i.test(detail)) {
    const hint = /wrong version number|packet length too long|http request/i.test(detail) && !opts.starttls
      ? 'the port does not speak TLS from the first byte: add --starttls'
      : 'the peer refused the TLS handshake; check its TLS versions and ciphers (the gateway needs TLS 1.2 or newer)';
    return { code: 'RG_PROBE_TLS', message: `TLS handshake with ${target} failed: ${detail}`, hint };
  }
  return { code: 'RG_PROBE_CONNECT', message: `cannot probe ${target}: ${detail}`, hint: 'check the host name and port' };
}

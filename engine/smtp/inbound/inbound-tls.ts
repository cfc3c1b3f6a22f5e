// After an inbound STARTTLS handshake: client-certificate policy of this upstream. The certificate is
// verified against this upstream's own trust list only — a certificate trusted for one upstream never
// authenticates another. smtp-server runs with rejectUnauthorized:false so that we decide here.
import { describeVerificationFailure, peerChainOf, verifyPeer } from '../../tls/trust.js';
import { TLSSocket } from 'node:tls';
import { reply } from '../reply.js';
import type { Socket } from 'node:net';
import type { EngineContext } from './engine-context.js';
import type { LegTls } from '../leg-tls.js';
import type { InboundSession } from './inbound-session.js';
import type { SmtpReply } from '../reply.js';

export type SecureResult = { readonly ok: true; readonly tls: LegTls } | { readonly ok: false; readonly reply: SmtpReply };

const NOT_TRUSTED: SmtpReply = reply(421, '4.7.0', 'TLS client certificate not accepted, closing connection');
const CERT_REQUIRED: SmtpReply = reply(421, '4.7.0', 'TLS client certificate required, closing connection');

export function onSecure(ctx: EngineContext, s: InboundSession, socket: Socket): SecureResult {
  if (!(socket instanceof TLSSocket)) return { ok: false, reply: NOT_TRUSTED };
  const base = { protocol: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher()?.name ?? 'unknown' };
  const address = `${s.meta.remoteAddress}:${s.meta.remotePort}`;
  const event = { leg: 'inbound' as const, peer: s.upstream.name, address, ...base };
  const mode = s.upstream.inbound.clientCertificate;
  const chain = mode === 'none' ? [] : peerChainOf(socket);
  const leaf = chain[0];
  if (leaf === undefined) {
    if (mode === 'required') {
      ctx.logger.warn({ leg: 'inbound', peer: s.upstream.name, address, code: 'RG_TLS_PEER_NO_CERTIFICATE' }, `upstream ${s.upstream.name} (${address}) presented no client certificate, but upstreams[${s.upstream.name}].tls.clientCertificate is required; session refused`);
      ctx.services.observer.tlsHandshake({ ...event, result: 'failed', reason: 'no-certificate' });
      return { ok: false, reply: CERT_REQUIRED };
    }
    ctx.services.observer.tlsHandshake({ ...event, result: 'ok' });
    return { ok: true, tls: { ...base, verified: null } };
  }
  const fingerprint256 = leaf.fingerprint256;
  if (!ctx.graph.gateway.tls.authenticate) {
    ctx.logger.warn({ leg: 'inbound', peer: s.upstream.name, address, fingerprint256 }, `client certificate of upstream ${s.upstream.name} (${address}) not verified (gateway.tls.authenticate: false); to trust it, import subject "${leaf.subject.replace(/\n/g, ', ')}" SHA-256 ${fingerprint256}`);
    ctx.services.observer.tlsHandshake({ ...event, result: 'unverified', fingerprint256 });
    return { ok: true, tls: { ...base, verified: false, peerSubject: leaf.subject.replace(/\n/g, ', '), peerFingerprint: fingerprint256 } };
  }
  const v = verifyPeer(chain, s.upstream.inbound.trust, { peerRole: 'client' });
  if (!v.ok) {
    const text = describeVerificationFailure(v, { leg: 'inbound', peerName: s.upstream.name, address, trustFiles: s.upstream.inbound.trustFiles });
    ctx.logger.warn({ leg: 'inbound', peer: s.upstream.name, address, code: v.code, fingerprint256, hint: text.hint }, text.message);
    ctx.services.observer.tlsHandshake({ ...event, result: 'failed', reason: v.reason, fingerprint256, hint: text.hint });
    return { ok: false, reply: NOT_TRUSTED };
  }
  ctx.services.observer.tlsHandshake({ ...event, result: 'ok', fingerprint256 });
  return { ok: true, tls: { ...base, verified: true, peerSubject: v.certificate.subject, peerFingerprint: fingerprint256 } };
}

// STARTTLS on the receiving leg: the handshake over an existing socket, and what we learnt about it.
import tls from 'node:tls';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { RelayError } from './relay-error.js';
import type { Endpoint } from './relay-wire.js';

export type TlsVerifyResult = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly code: string };

export type RelayTlsPolicy = {
  readonly starttls: 'required' | 'optional' | 'disabled';
  /** Prebuilt secureContext, servername, rejectUnauthorized: false (verification is `verify`'s job). */
  readonly options: tls.ConnectionOptions;
  /** Peer verification after the handshake; absent means encrypt without authenticating. */
  readonly verify?: (socket: TLSSocket) => TlsVerifyResult;
};

export type RelayTlsInfo = {
  readonly protocol: string;
  readonly cipher: string;
  /** true: `verify` accepted the peer; false: encrypted without verifying (authenticate: false); null: no peer certificate. */
  readonly verified: boolean | null;
  readonly peerFingerprint?: string;
  readonly peerSubject?: string;
};

/** Runs the client handshake over `raw`; rejects with RG_RELAY_TLS_HANDSHAKE on failure or timeout. */
export function handshake(raw: Socket, options: tls.ConnectionOptions, timeoutMs: number, ep: Endpoint): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ ...options, socket: raw });
    const fail = (message: string, cause?: unknown): void => {
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
      reject(new RelayError('RG_RELAY_TLS_HANDSHAKE', 'starttls', `TLS handshake failed: ${message}`, { ...ep, cause }));
    };
    const timer = setTimeout(() => fail(`no handshake within ${timeoutMs} ms`), timeoutMs);
    const onError = (err: Error): void => fail(err.message, err);
    const onClose = (): void => fail('connection closed during the handshake');
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** Same shape as the engine's LegTls, so the transaction log can take it as is. */
export function describeTls(socket: TLSSocket, verified: boolean): RelayTlsInfo {
  const peer = socket.getPeerCertificate();
  const anonymous = {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: socket.getCipher()?.name ?? 'unknown',
    verified: null,
  };
  if (peer === null || typeof peer !== 'object' || !('fingerprint256' in peer) || peer.fingerprint256 === undefined) return anonymous;
  const base = { ...anonymous, verified };
  const subject = peer.subject === undefined ? undefined : Object.entries(peer.subject).map(([k, v]) => `${k}=${String(v)}`).join(', ');
  return subject === undefined ? { ...base, peerFingerprint: peer.fingerprint256 } : { ...base, peerFingerprint: peer.fingerprint256, peerSubject: subject };
}

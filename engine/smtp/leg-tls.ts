// The TLS facts of a leg (inbound or receiving) and the handshake events reported about it: shared by
// every layer of engine/smtp and by the runtime's logs and metrics (re-exported from engine-api.ts).

export type TlsLeg = 'inbound' | 'receiving';
export type TlsResult = 'ok' | 'failed' | 'unverified';

export interface TlsHandshakeEvent {
  readonly leg: TlsLeg;
  /** Upstream or receiver name. */
  readonly peer: string;
  readonly address: string;
  readonly result: TlsResult;
  readonly protocol?: string;
  readonly cipher?: string;
  readonly reason?: string;
  readonly fingerprint256?: string;
  /** Failures: what to do about it (the import/probe command), from describeVerificationFailure. */
  readonly hint?: string;
}

/** TLS facts of one leg as they appear in the transaction log line. */
export interface LegTls {
  readonly protocol: string;
  readonly cipher: string;
  /** true verified, false presented but not verified (authenticate: false), null no peer certificate checked. */
  readonly verified: boolean | null;
  readonly peerSubject?: string;
  readonly peerFingerprint?: string;
}

/** The part of the runtime's observer that hears about handshakes (EngineObserver extends it). */
export interface TlsObserver {
  tlsHandshake(e: TlsHandshakeEvent): void;
}

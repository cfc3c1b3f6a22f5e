// Why a peer certificate was refused: reasons, their stable codes, and the one constructor.
import type { CertificateInfo } from './certificate-info.js';

export type PeerFailureReason =
  | 'no-certificate'
  | 'unknown-issuer'
  | 'self-signed'
  | 'expired'
  | 'not-yet-valid'
  | 'hostname-mismatch'
  | 'empty-trust'
  | 'invalid-ca'
  | 'name-constraints'
  | 'wrong-purpose'
  | 'rejected';

export type PeerFailureCode =
  | 'RG_TLS_PEER_NO_CERTIFICATE'
  | 'RG_TLS_PEER_UNKNOWN_ISSUER'
  | 'RG_TLS_PEER_SELF_SIGNED'
  | 'RG_TLS_PEER_EXPIRED'
  | 'RG_TLS_PEER_NOT_YET_VALID'
  | 'RG_TLS_PEER_HOSTNAME_MISMATCH'
  | 'RG_TLS_PEER_EMPTY_TRUST'
  | 'RG_TLS_PEER_INVALID_CA'
  | 'RG_TLS_PEER_NAME_CONSTRAINTS'
  | 'RG_TLS_PEER_WRONG_PURPOSE'
  | 'RG_TLS_PEER_REJECTED';

export type PeerVerificationFailure = {
  readonly ok: false;
  readonly reason: PeerFailureReason;
  readonly code: PeerFailureCode;
  readonly certificate?: CertificateInfo;
  readonly message: string;
};

const CODES: { readonly [R in PeerFailureReason]: PeerFailureCode } = {
  'no-certificate': 'RG_TLS_PEER_NO_CERTIFICATE',
  'unknown-issuer': 'RG_TLS_PEER_UNKNOWN_ISSUER',
  'self-signed': 'RG_TLS_PEER_SELF_SIGNED',
  expired: 'RG_TLS_PEER_EXPIRED',
  'not-yet-valid': 'RG_TLS_PEER_NOT_YET_VALID',
  'hostname-mismatch': 'RG_TLS_PEER_HOSTNAME_MISMATCH',
  'empty-trust': 'RG_TLS_PEER_EMPTY_TRUST',
  'invalid-ca': 'RG_TLS_PEER_INVALID_CA',
  'name-constraints': 'RG_TLS_PEER_NAME_CONSTRAINTS',
  'wrong-purpose': 'RG_TLS_PEER_WRONG_PURPOSE',
  rejected: 'RG_TLS_PEER_REJECTED',
};

export function failure(reason: PeerFailureReason, message: string, certificate?: CertificateInfo): PeerVerificationFailure {
  return certificate ? { ok: false, reason, code: CODES[reason], certificate, message } : { ok: false, reason, code: CODES[reason], message };
}

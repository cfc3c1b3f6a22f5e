// OpenSSL's verification error (socket.authorizationError) as our failure reasons, with a message that
// says which certificate of the chain is at fault where the code alone does not.
import type { X509Certificate } from 'node:crypto';
import { certificateValidFrom, checkValidity, describeCertificate } from './certificate-info.js';
import type { CertificateInfo } from './certificate-info.js';
import { failure } from './peer-failure.js';
import type { PeerVerificationFailure } from './peer-failure.js';

/** undefined: an unknown-issuer case the caller words itself (self-signed or not). */
export function failureFromOpenSsl(code: string, chain: readonly X509Certificate[], now: Date, info: CertificateInfo): PeerVerificationFailure | undefined {
  const tail = ` (OpenSSL: ${code})`;
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return datesFailure(chain, now, info, 'expired') ?? failure('expired', `a certificate of the chain has expired${tail}`, info);
    case 'CERT_NOT_YET_VALID':
      return datesFailure(chain, now, info, 'not-yet-valid') ?? failure('not-yet-valid', `a certificate of the chain is not valid yet (check both clocks)${tail}`, info);
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return undefined;
    case 'INVALID_CA':
      return failure('invalid-ca', `a certificate in the chain signed another but is not a CA (basicConstraints CA:FALSE or no keyCertSign)${tail}`, info);
    case 'PATH_LENGTH_EXCEEDED':
      return failure('invalid-ca', `the chain is longer than an issuer's basicConstraints pathLenConstraint allows${tail}`, info);
    case 'PERMITTED_SUBTREE_VIOLATION':
    case 'EXCLUDED_SUBTREE_VIOLATION':
    case 'SUBTREE_MINMAX':
    case 'UNSUPPORTED_CONSTRAINT_TYPE':
    case 'UNSUPPORTED_NAME_SYNTAX':
      return failure('name-constraints', `the certificate names something its issuing CA's name constraints do not allow${tail}`, info);
    case 'INVALID_PURPOSE':
      return failure('wrong-purpose', `a certificate of the chain is not allowed for this TLS role (extended key usage)${tail}`, info);
    default:
      // Node names only some X509_V_ERR codes (name-constraint violations, among others, arrive as
      // UNSPECIFIED): the refusal stands; what we can see of the chain only words the message.
      return explainUnnamed(chain, info, tail);
  }
}

function datesFailure(chain: readonly X509Certificate[], now: Date, info: CertificateInfo, kind: 'expired' | 'not-yet-valid'): PeerVerificationFailure | undefined {
  for (const [index, cert] of chain.entries()) {
    if (checkValidity(cert, now) !== kind) continue;
    const which = index === 0 ? 'the certificate' : `its issuer "${describeCertificate(cert, now).subject}"`;
    return kind === 'expired'
      ? failure('expired', `${which} expired on ${new Date(cert.validTo).toISOString()}`, info)
      : failure('not-yet-valid', `${which} is not valid before ${certificateValidFrom(cert).toISOString()} (check both clocks)`, info);
  }
  return undefined;
}

const NAME_CONSTRAINTS_OID_DER = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x1e]);

function explainUnnamed(chain: readonly X509Certificate[], info: CertificateInfo, tail: string): PeerVerificationFailure {
  if (chain.slice(1).some((c) => c.raw.includes(NAME_CONSTRAINTS_OID_DER))) {
    return failure('name-constraints', `the certificate names something its issuing CA's name constraints do not allow${tail}`, info);
  }
  const leaf = chain[0];
  if (leaf !== undefined && chain.length === 1 && leaf.issuer !== leaf.subject) {
    return failure('invalid-ca', `the certificate's issuer "${info.issuer}" is not usable as a CA (basicConstraints CA:FALSE, keyUsage without keyCertSign, or path length)${tail}`, info);
  }
  return failure('rejected', `OpenSSL refused the chain${tail}`, info);
}

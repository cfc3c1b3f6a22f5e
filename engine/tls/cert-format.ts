// Text rendering of certificate descriptions for the `certs` commands.
import { isAbsolute, relative } from 'node:path';
import type { CertificateInfo, CertificateValidity } from './certificate-info.js';
import { EXPIRY_WARNING_DAYS } from './certificate-info.js';

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function validityText(info: CertificateInfo, status: CertificateValidity): string {
  const range = `${day(info.validFrom)} to ${day(info.validTo)}`;
  switch (status) {
    case 'valid':
      return `${range} (${info.daysToExpiry} days left)`;
    case 'expiring':
      return `${range} (WARNING: expires in ${info.daysToExpiry} days, within ${EXPIRY_WARNING_DAYS})`;
    case 'expired':
      return `${range} (EXPIRED ${-info.daysToExpiry} days ago)`;
    case 'not-yet-valid':
      return `${range} (NOT YET VALID)`;
    default: {
      const never: never = status;
      throw new Error(`unhandled validity ${String(never)}`);
    }
  }
}

/** Indented "label  value" lines describing one certificate. */
export function certificateLines(info: CertificateInfo, status: CertificateValidity, indent = '  '): string[] {
  const kind = info.isCA ? (info.selfSigned ? 'CA (self-signed root)' : 'CA (intermediate)') : info.selfSigned ? 'end-entity, self-signed (pinned when trusted)' : 'end-entity (pinned when trusted)';
  return [
    `${indent}subject   ${info.subject}`,
    `${indent}issuer    ${info.issuer}`,
    `${indent}SANs      ${info.sans.length > 0 ? info.sans.join(', ') : '(none)'}`,
    `${indent}SHA-256   ${info.fingerprint256}`,
    `${indent}serial    ${info.serial}`,
    `${indent}valid     ${validityText(info, status)}`,
    `${indent}kind      ${kind}`,
  ];
}

/** JSON-friendly form (dates as ISO strings). */
export function certificateJson(info: CertificateInfo, status: CertificateValidity): Record<string, unknown> {
  return {
    subject: info.subject,
    issuer: info.issuer,
    sans: info.sans,
    fingerprint256: info.fingerprint256,
    serial: info.serial,
    validFrom: info.validFrom.toISOString(),
    validTo: info.validTo.toISOString(),
    daysToExpiry: info.daysToExpiry,
    status,
    isCA: info.isCA,
    selfSigned: info.selfSigned,
  };
}

/** A path relative to the working directory when it lies below it, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length > 0 && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

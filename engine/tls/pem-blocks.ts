// PEM block scanning: the labels and base64 bodies of every `-----BEGIN X-----` block in a text.

export interface PemBlock {
  readonly label: string;
  /** The whole block, BEGIN line to END line, with its encapsulated headers. */
  readonly text: string;
  /** True for the legacy OpenSSL `Proc-Type: 4,ENCRYPTED` header form. */
  readonly legacyEncrypted: boolean;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export function parsePemBlocks(text: string): readonly PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1] ?? '';
    const body = match[2] ?? '';
    blocks.push({
      label,
      text: match[0].replace(/\r\n/g, '\n'),
      legacyEncrypted: /Proc-Type:\s*4,ENCRYPTED/i.test(body),
    });
  }
  return Object.freeze(blocks);
}

export function hasPemMarker(text: string): boolean {
  return text.includes('-----BEGIN ');
}

const CERTIFICATE_LABELS: ReadonlySet<string> = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const KEY_LABELS: ReadonlySet<string> = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);

export function isCertificateLabel(label: string): boolean {
  return CERTIFICATE_LABELS.has(label);
}

export function isPrivateKeyLabel(label: string): boolean {
  return KEY_LABELS.has(label) || label === 'ENCRYPTED PRIVATE KEY';
}

export function isEncryptedKeyBlock(block: PemBlock): boolean {
  return block.label === 'ENCRYPTED PRIVATE KEY' || (KEY_LABELS.has(block.label) && block.legacyEncrypted);
}

/** A human name for a PEM label, for messages ("a certificate signing request"). */
export function describePemLabel(label: string): string {
  switch (label) {
    case 'CERTIFICATE REQUEST':
    case 'NEW CERTIFICATE REQUEST':
      return 'a certificate signing request (CSR), not a certificate';
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY':
      return 'a bare public key, not a certificate';
    case 'X509 CRL':
      return 'a certificate revocation list (CRL), not a certificate';
    case 'DH PARAMETERS':
    case 'EC PARAMETERS':
      return 'key-exchange parameters, not a certificate';
    default:
      return `a PEM "${label}" block, not a certificate`;
  }
}

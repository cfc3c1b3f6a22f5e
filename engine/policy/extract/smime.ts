// S/MIME parts (RFC 8551) read by what they hold: a PKCS #7 / CMS ContentInfo (RFC 5652), DER or BER. Signed
// data (opaque signing: the whole MIME entity inside the signature structure) and compressed data (RFC 3274,
// zlib) carry a MIME entity in the clear, read as the attached message it is; enveloped, authenticated-
// enveloped and encrypted data are unscannable (encrypted). Signatures are not verified: inspection reads
// what the recipient's client shows, signed or not.
import forge from 'node-forge';
import type { ExtractContext, FileInput } from './extract-context.js';
import type { ExtractNested } from './containers.js';
import { unscannable } from './facts.js';
import { readGzip } from './gzip.js';
import { ratioCap } from './limits.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  signedAndEnvelopedData: '1.2.840.113549.1.7.4',
  digestedData: '1.2.840.113549.1.7.5',
  encryptedData: '1.2.840.113549.1.7.6',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  compressedData: '1.2.840.113549.1.9.16.1.9',
  zlib: '1.2.840.113549.1.9.16.3.8',
} as const;

const ENCRYPTED: ReadonlyMap<string, string> = new Map([
  [OID.envelopedData, 'S/MIME enveloped data (encrypted for its recipients)'],
  [OID.authEnvelopedData, 'S/MIME authenticated-enveloped data (encrypted for its recipients)'],
  [OID.signedAndEnvelopedData, 'PKCS #7 signed-and-enveloped data (encrypted for its recipients)'],
  [OID.encryptedData, 'PKCS #7 encrypted data (encrypted with a key not in the message)'],
]);

type Content =
  | { readonly entity: Uint8Array; readonly how: string }
  | { readonly none: string }
  | { readonly reason: 'encrypted' | 'corrupt' | 'unsupported' | 'limit'; readonly detail: string };

/** What a ContentInfo carries, within `cap` bytes of decompressed output. */
export function readContentInfo(data: Uint8Array, cap: number): Content {
  let root: forge.asn1.Asn1;
  try {
    // (node-forge reads an options object, its types know only the boolean; its maxDepth bounds nesting)
    const fromDer = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteBuffer, options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean }) => forge.asn1.Asn1;
    root = fromDer(forge.util.createBuffer(Buffer.from(data.buffer, data.byteOffset, data.length).toString('binary')), { strict: false, parseAllBytes: false, decodeBitStrings: false });
  } catch (err) {
    return { reason: 'corrupt', detail: `not a readable PKCS #7 structure (${err instanceof Error ? err.message : String(err)})` };
  }
  const [typeNode, wrapped] = children(root);
  const type = oidOf(typeNode);
  if (type === undefined) return { reason: 'corrupt', detail: 'not a readable PKCS #7 structure (no content type)' };
  const encrypted = ENCRYPTED.get(type);
  if (encrypted !== undefined) return { reason: 'encrypted', detail: encrypted };
  const content = explicitContent(wrapped);
  if (type === OID.signedData || type === OID.digestedData) {
    // SignedData: version, digestAlgorithms, encapContentInfo, … (DigestedData: version, digestAlgorithm, encapContentInfo, digest)
    const encap = children(content).find((c, i) => i >= 1 && c.tagClass === forge.asn1.Class.UNIVERSAL && c.type === forge.asn1.Type.SEQUENCE && oidOf(children(c)[0]) !== undefined);
    if (encap === undefined) return { reason: 'corrupt', detail: 'PKCS #7 signed data without its encapsulated content info' };
    const eContent = explicitContent(children(encap)[1]);
    if (eContent === undefined) return { none: 'a detached signature: the signed content is the message part beside it' };
    const bytes = octetString(eContent);
    if (bytes === undefined) return { reason: 'corrupt', detail: 'PKCS #7 signed data whose content is no OCTET STRING' };
    return { entity: bytes, how: 'signed content' };
  }
  if (type === OID.compressedData) {
    // CompressedData: version, compressionAlgorithm, encapContentInfo
    const [, algorithm, encap] = children(content);
    const alg = oidOf(children(algorithm)[0]);
    if (alg !== OID.zlib) return { reason: 'unsupported', detail: `S/MIME compressed data with compression algorithm ${alg ?? '(none)'}` };
    const eContent = explicitContent(children(encap)[1]);
    const compressed = eContent === undefined ? undefined : octetString(eContent);
    if (compressed === undefined) return { reason: 'corrupt', detail: 'S/MIME compressed data without its compressed content' };
    const r = readGzip(compressed, cap, true);
    if ('reason' in r) return { reason: r.reason, detail: `S/MIME compressed data: ${r.detail}` };
    return { entity: r.ok, how: 'compressed content' };
  }
  if (type === OID.data) {
    const bytes = content === undefined ? undefined : octetString(content);
    return bytes === undefined ? { reason: 'corrupt', detail: 'PKCS #7 data without its content' } : { entity: bytes, how: 'content' };
  }
  return { reason: 'unsupported', detail: `PKCS #7 content type ${type}` };
}

function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node !== undefined && Array.isArray(node.value) ? node.value : [];
}

function oidOf(node: forge.asn1.Asn1 | undefined): string | undefined {
  if (node === undefined || node.type !== forge.asn1.Type.OID || typeof node.value !== 'string') return undefined;
  try {
    return forge.asn1.derToOid(node.value);
  } catch {
    return undefined;
  }
}

/** The content inside `[0] EXPLICIT`. */
function explicitContent(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1 | undefined {
  if (node === undefined || node.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || node.type !== 0) return undefined;
  return children(node)[0];
}

/** An OCTET STRING's bytes, a constructed one (BER: chunks, nested) joined. */
function octetString(node: forge.asn1.Asn1): Uint8Array | undefined {
  if (node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== forge.asn1.Type.OCTETSTRING) return undefined;
  if (typeof node.value === 'string') return Buffer.from(node.value, 'binary');
  const parts: Uint8Array[] = [];
  for (const c of node.value) {
    const p = octetString(c);
    if (p === undefined) return undefined;
    parts.push(p);
  }
  return Buffer.concat(parts);
}

/** An S/MIME part: its entity read as an attached message one level down, or the reason it cannot be. */
export async function extractSmime(file: FileInput, label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  ctx.facts.parts++;
  const cap = Math.min(ctx.budget.left, ctx.limits.maxOutputBytes, ratioCap(ctx.limits, file.content.length));
  const r = readContentInfo(file.content, cap);
  if ('reason' in r) {
    if (r.reason === 'limit' && cap >= ctx.budget.left) ctx.budget.markExceeded();
    return unscannable(ctx, label, r.reason, r.detail);
  }
  if ('none' in r) return;
  ctx.budget.take(r.entity.length);
  await extractFile({ name: `${file.name || 'smime.p7m'} (${r.how})`, declaredType: 'message/rfc822', size: r.entity.length, content: r.entity, truncated: false }, label, depth + 1, ctx);
}

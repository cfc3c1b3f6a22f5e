// S/MIME parts (RFC 8551) by what they hold. An opaque-signed message (application/pkcs7-mime;
// smime-type=signed-data) carries its whole MIME entity in the clear inside the signature structure, and a
// compressed one (RFC 3274) carries it zlib-compressed: both are read as the attached message they are. Only
// enveloped (encrypted) data is unscannable. Session 10 refused every S/MIME part as encrypted, whatever it
// held: a signed mail from an S/MIME user was refused as unreadable, for the wrong reason.
import forge from 'node-forge';
import { deflateSync } from 'node:zlib';
import { analysisSuite, b64, crlf, HEAD, inMultipart, smtpSuite, type Variant } from './variant-suite.js';

const CARD = '4111 1111 1111 1111';
/** The MIME entity inside: a text part, or a multipart with the card in a base64 attachment. */
const innerText = crlf(`Content-Type: text/plain; charset=utf-8\n\ncard ${CARD}\n`);
const innerAttachment = crlf(`Content-Type: multipart/mixed; boundary=in\n\n--in\nContent-Type: text/plain\n\nsee the file\n--in\nContent-Type: application/octet-stream; name=cards.txt\nContent-Disposition: attachment; filename=cards.txt\nContent-Transfer-Encoding: base64\n\n${b64(`card ${CARD}\n`)}\n--in--\n`);

// one signing identity for the suite (a 1024-bit key keeps the test quick; the gateway does not verify signatures)
const keys = forge.pki.rsa.generateKeyPair(1024);
const cert = forge.pki.createCertificate();
cert.publicKey = keys.publicKey;
cert.serialNumber = '01';
cert.validity.notBefore = new Date(Date.UTC(2026, 0, 1));
cert.validity.notAfter = new Date(Date.UTC(2027, 0, 1));
cert.setSubject([{ name: 'commonName', value: 'alice@corp.example' }]);
cert.setIssuer([{ name: 'commonName', value: 'alice@corp.example' }]);
cert.sign(keys.privateKey, forge.md.sha256.create());

const der = (asn1: forge.asn1.Asn1): Buffer => Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');

function signedData(content: Buffer): Buffer {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  p7.addCertificate(cert);
  p7.addSigner({ key: keys.privateKey, certificate: cert, digestAlgorithm: forge.pki.oids.sha256 ?? '2.16.840.1.101.3.4.2.1', authenticatedAttributes: [] });
  p7.sign();
  return der(p7.toAsn1());
}

function envelopedData(content: Buffer): Buffer {
  const p7 = forge.pkcs7.createEnvelopedData();
  p7.addRecipient(cert);
  p7.content = forge.util.createBuffer(content.toString('binary'));
  p7.encrypt();
  return der(p7.toAsn1());
}

const { asn1 } = forge;
const seq = (...v: forge.asn1.Asn1[]): forge.asn1.Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, v);
const oid = (o: string): forge.asn1.Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const explicit0 = (v: forge.asn1.Asn1): forge.asn1.Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [v]);
const octets = (b: Buffer): forge.asn1.Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, b.toString('binary'));
const int = (n: number): forge.asn1.Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(n));

/** RFC 3274 CompressedData around `content`, zlib-compressed. */
function compressedData(content: Buffer): Buffer {
  return der(seq(oid('1.2.840.113549.1.9.16.1.9'), explicit0(seq(int(0), seq(oid('1.2.840.113549.1.9.16.3.8')), seq(oid('1.2.840.113549.1.7.1'), explicit0(octets(deflateSync(content))))))));
}

/** A ContentInfo of signed data written as BER, as Outlook writes it: indefinite lengths, the content as a constructed OCTET STRING of 64-byte chunks. */
function berSignedData(content: Buffer): Buffer {
  const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
  const len = (n: number): Buffer => (n < 128 ? Buffer.from([n]) : n < 256 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]));
  const indefinite = (tag: number, ...parts: Buffer[]): Buffer => Buffer.concat([Buffer.from([tag, 0x80]), ...parts, Buffer.from([0, 0])]);
  const oidBytes = (o: string): Buffer => tlv(0x06, Buffer.from(asn1.oidToDer(o).getBytes(), 'binary'));
  const chunks: Buffer[] = [];
  for (let i = 0; i < content.length; i += 64) chunks.push(tlv(0x04, content.subarray(i, i + 64)));
  const encap = indefinite(0x30, oidBytes('1.2.840.113549.1.7.1'), indefinite(0xa0, indefinite(0x24, ...chunks)));
  const signed = indefinite(0x30, tlv(0x02, Buffer.from([1])), tlv(0x31, Buffer.alloc(0)), encap, tlv(0x31, Buffer.alloc(0)));
  return indefinite(0x30, oidBytes('1.2.840.113549.1.7.2'), indefinite(0xa0, signed));
}

/** The whole message as one S/MIME part (opaque: its Content-Type is the message's). */
const opaque = (smimeType: string, data: Buffer, type = 'application/pkcs7-mime'): Buffer =>
  crlf(`${HEAD}Content-Type: ${type}; smime-type=${smimeType}; name=smime.p7m\nContent-Disposition: attachment; filename=smime.p7m\nContent-Transfer-Encoding: base64\n\n${b64(data)}\n`);

const VARIANTS: readonly Variant[] = [
  { name: 'opaque-signed (signed-data), the card in the signed text', build: () => opaque('signed-data', signedData(innerText)), expect: 'card', smtp: true },
  { name: 'opaque-signed, the card in a base64 attachment of the signed entity', build: () => opaque('signed-data', signedData(innerAttachment)), expect: 'card' },
  { name: 'opaque-signed declared application/octet-stream (smime.p7m), the card in a base64 attachment inside', build: () => opaque('signed-data', signedData(innerAttachment), 'application/octet-stream'), expect: 'card', smtp: true },
  { name: 'opaque-signed as an attachment of a multipart message', build: () => inMultipart('Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\nContent-Transfer-Encoding: base64', b64(signedData(innerAttachment))), expect: 'card' },
  { name: 'opaque-signed in BER (indefinite lengths, the content in 64-byte chunks)', build: () => opaque('signed-data', berSignedData(innerAttachment)), expect: 'card' },
  { name: 'compressed-data (RFC 3274, zlib)', build: () => opaque('compressed-data', compressedData(innerAttachment)), expect: 'card', smtp: true },
  { name: 'signed, then compressed inside', build: () => opaque('signed-data', signedData(crlf(`Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\nContent-Transfer-Encoding: base64\n\n${b64(compressedData(innerText))}\n`))), expect: 'card' },
  // what stays unscannable
  { name: 'enveloped-data (encrypted)', build: () => opaque('enveloped-data', envelopedData(innerText)), expect: { unscannable: 'encrypted', detail: /enveloped/ }, smtp: true },
  { name: 'signed, then encrypted inside', build: () => opaque('signed-data', signedData(crlf(`Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n${b64(envelopedData(innerText))}\n`))), expect: { unscannable: 'encrypted', detail: /enveloped/ } },
  { name: 'a pkcs7-mime part that is no PKCS #7 structure', build: () => opaque('signed-data', Buffer.from('not der at all, but card 4111 1111 1111 1111 in the clear')), expect: { unscannable: 'corrupt', detail: /PKCS #7/ } },
  { name: 'a compressed-data part whose zlib stream is cut', build: () => opaque('compressed-data', compressedData(innerAttachment).subarray(0, 60)), expect: { unscannable: 'corrupt' } },
  // controls
  { name: 'control: opaque-signed without a card', build: () => opaque('signed-data', signedData(crlf('Content-Type: text/plain\n\nall fine\n'))), expect: 'clean', smtp: true },
];

analysisSuite('evasion: S/MIME parts read by what they hold (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: S/MIME parts read by what they hold', 'smime', VARIANTS);

// Certificates the regular test PKI never makes, built with node-forge: an expired intermediate, an
// issuer without CA:TRUE, a leaf restricted to one extended key usage, a name-constrained CA.
import forge from 'node-forge';
import { pooledKeyPem } from './pki.js';
import type { PresentedCert } from './tls-handshake.js';

export interface EdgeCertOptions {
  readonly commonName: string;
  /** The signer; self-signed when absent. */
  readonly issuer?: PresentedCert;
  readonly isCA?: boolean;
  readonly sans?: readonly string[];
  /** serverAuth / clientAuth; absent: both. */
  readonly eku?: readonly ('serverAuth' | 'clientAuth')[];
  /** Permitted DNS subtrees (RFC 5280 nameConstraints, critical). */
  readonly permittedDns?: readonly string[];
  readonly expired?: boolean;
}

let serial = 1000;
const DAY = 86_400_000;

export function edgeCert(o: EdgeCertOptions): PresentedCert {
  const keyPem = pooledKeyPem();
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = (serial++).toString(16).padStart(4, '0');
  cert.validity.notBefore = new Date(Date.now() - (o.expired ? 400 : 1) * DAY);
  cert.validity.notAfter = new Date(Date.now() + (o.expired ? -2 : 365) * DAY);
  cert.setSubject([{ name: 'commonName', value: o.commonName }]);
  const issuerCert = o.issuer ? forge.pki.certificateFromPem(o.issuer.certPem) : cert;
  cert.setIssuer(issuerCert.subject.attributes);
  const eku = o.eku ?? ['serverAuth', 'clientAuth'];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: o.isCA ?? false, critical: true },
    o.isCA ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true } : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!o.isCA) extensions.push({ name: 'extKeyUsage', serverAuth: eku.includes('serverAuth'), clientAuth: eku.includes('clientAuth') });
  if (o.sans && o.sans.length > 0) extensions.push({ name: 'subjectAltName', altNames: o.sans.map((value) => ({ type: 2, value })) });
  if (o.permittedDns) extensions.push({ id: '2.5.29.30', critical: true, value: nameConstraints(o.permittedDns) });
  cert.setExtensions(extensions);
  const signer = o.issuer ? forge.pki.privateKeyFromPem(o.issuer.keyPem) : key;
  cert.sign(signer, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

// NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees }; GeneralSubtree ::= SEQUENCE { base GeneralName }
function nameConstraints(dns: readonly string[]): forge.asn1.Asn1 {
  const { asn1 } = forge;
  const subtrees = dns.map((d) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, d)]));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, subtrees)]);
}

// A real loopback TLS handshake with the product's secure contexts, returning the peer chain as the
// verifying side sees it (with OpenSSL's verdict): what verifyPeer gets in production.
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createClientSecureContext, createClientTlsOptions, createServerTlsOptions } from '../../engine/tls/secure-context.js';
import { peerChainOf } from '../../engine/tls/trust.js';
import type { PeerChain } from '../../engine/tls/trust.js';

export interface PresentedCert {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * role 'server': the peer serves `cert` (+ `extra` chain PEMs) and the gateway, as client, verifies it with `ca`.
 * role 'client': the peer presents `cert` as client to a gateway server whose context carries `ca`.
 */
export async function presentedChain(cert: PresentedCert, extra: readonly string[], ca: readonly string[], role: 'server' | 'client', gateway?: PresentedCert): Promise<PeerChain> {
  const chainPem = [cert.certPem, ...extra].join('');
  const serverIdentity = role === 'server' ? { certPem: chainPem, keyPem: cert.keyPem } : (gateway as PresentedCert);
  const serverOptions = createServerTlsOptions(serverIdentity, { requestCert: role === 'client', ...(role === 'client' ? { ca } : {}) });
  let gotServerSide: (s: TLSSocket) => void = () => undefined;
  const serverSide = new Promise<TLSSocket>((resolve) => (gotServerSide = resolve));
  const server = createServer(serverOptions, (s) => gotServerSide(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const context = createClientSecureContext(role === 'client' ? { certPem: chainPem, keyPem: cert.keyPem } : undefined, {}, role === 'server' ? ca : []);
  const client = connect({ host: '127.0.0.1', port, ...createClientTlsOptions(context, {}) });
  try {
    await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
    const s = await serverSide;
    const chain = role === 'server' ? peerChainOf(client) : peerChainOf(s);
    s.destroy();
    return chain;
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

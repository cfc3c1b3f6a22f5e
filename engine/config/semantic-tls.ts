// TLS settings that contradict each other: offering STARTTLS without an identity, asking for client certificates without trust.
import type { Diagnostic } from './diagnostic.js';
import type { UpstreamEntry } from './generated/topology.js';
import { joinPointer } from './pointer.js';
import { report } from './topology-context.js';
import type { TopologyContext } from './topology-context.js';

export function checkTlsSettings(ctx: TopologyContext): Diagnostic[] {
  const hasIdentity = ctx.data.gateway.tls?.certificate !== undefined;
  return ctx.data.upstreams.flatMap((u, i) => checkUpstreamTls(ctx, u, joinPointer('', 'upstreams', i, 'tls'), hasIdentity));
}

function checkUpstreamTls(ctx: TopologyContext, upstream: UpstreamEntry, at: string, hasIdentity: boolean): Diagnostic[] {
  const tls = upstream.tls;
  if (!tls) return [];
  const out: Diagnostic[] = [];
  const name = JSON.stringify(upstream.name);
  const identityHint = 'set gateway.tls.certificate and gateway.tls.key (create them with: relayguard certs init)';
  if (!hasIdentity && (tls.starttls === 'required' || tls.starttls === 'optional')) {
    out.push(report(ctx, `${at}/starttls`, { code: 'RG_CFG_TLS_NO_IDENTITY', message: `upstream ${name} has starttls: ${tls.starttls}, but the gateway has no certificate to offer STARTTLS with`, hint: identityHint }));
  }
  const wantsClientCert = tls.clientCertificate === 'required' || tls.clientCertificate === 'optional';
  if (!wantsClientCert) return out;
  if (!hasIdentity) {
    out.push(report(ctx, `${at}/clientCertificate`, { code: 'RG_CFG_TLS_NO_IDENTITY', message: `upstream ${name} asks for a client certificate, but the gateway has no certificate of its own to run TLS with`, hint: identityHint }));
  }
  if ((tls.trust ?? []).length === 0) {
    out.push(
      report(ctx, `${at}/clientCertificate`, {
        code: 'RG_CFG_TLS_NO_TRUST',
        message: `upstream ${name} has clientCertificate: ${tls.clientCertificate}, but its trust list is empty, so no client certificate can be verified`,
        hint: `import the MTA's certificate (relayguard certs import FILE --name ${upstream.name}) and list it in tls.trust`,
      }),
    );
  }
  if (tls.starttls === 'disabled') {
    out.push(report(ctx, `${at}/clientCertificate`, { code: 'RG_CFG_TLS_CONFLICT', message: `upstream ${name} asks for a client certificate with starttls: disabled; without TLS there is no certificate`, hint: 'set starttls to required (or optional), or clientCertificate to none' }));
  }
  return out;
}

// The TLS leg to a syslog collector (RFC 5425): OpenSSL verifies the chain against tls.trust in the
// handshake and Node's checkServerIdentity the name; we only read their verdict, so the refusal can
// name the collector, the certificate it presented and what to change. Nothing is sent before it passes.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { describeCertificate } from '../../tls/certificate-info.js';
import type { SyslogIncidentSink } from '../../graph/incident-sinks.js';

export type SyslogTls = NonNullable<SyslogIncidentSink['tls']>;

export interface CollectorRefusal {
  readonly code: 'RG_INCIDENT_SYSLOG_TLS_UNTRUSTED' | 'RG_INCIDENT_SYSLOG_TLS_NAME';
  readonly message: string;
  readonly hint: string;
}

export function connectCollectorTls(host: string, port: number, t: SyslogTls): TLSSocket {
  return tls.connect({
    host,
    port,
    ...(isIP(t.serverName) === 0 ? { servername: t.serverName } : {}),
    ...(t.ca ? { ca: [...t.ca] } : {}),
    ...(t.cert ? { cert: t.cert } : {}),
    ...(t.key ? { key: t.key } : {}),
    // The verdict is read in collectorRefusal (secureConnect) so the log can show the certificate.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
}

/** undefined when OpenSSL accepted the chain and the name matches serverName. */
export function collectorRefusal(socket: TLSSocket, host: string, port: number, t: SyslogTls): CollectorRefusal | undefined {
  // One read of the peer certificate: after getPeerX509Certificate(), Node 20's getPeerCertificate() loses subjectaltname.
  const detailed = socket.getPeerCertificate();
  const peer = detailed.raw === undefined ? undefined : new X509Certificate(detailed.raw);
  const shown = peer ? describeCertificate(peer) : undefined;
  const cert = shown ? `certificate "${shown.subject}" issued by "${shown.issuer}" (SHA-256 ${shown.fingerprint256}, names ${shown.sans.join(', ') || 'none'})` : 'no certificate';
  const trust = t.trustFiles && t.trustFiles.length > 0 ? t.trustFiles.join(', ') : 'the system CAs';
  if (!socket.authorized || peer === undefined) {
    return {
      code: 'RG_INCIDENT_SYSLOG_TLS_UNTRUSTED',
      message: `syslog collector ${host}:${port} presented ${cert}, which does not verify against ${trust}: ${String(socket.authorizationError ?? 'no certificate')}`,
      hint: `add the CA that issued the collector's certificate to gateway.incidents.sinks[].tls.trust (PEM); see what it sends with: openssl s_client -connect ${host}:${port} -showcerts`,
    };
  }
  const nameError = tls.checkServerIdentity(t.serverName, detailed);
  if (nameError === undefined) return undefined;
  return {
    code: 'RG_INCIDENT_SYSLOG_TLS_NAME',
    message: `syslog collector ${host}:${port} presented ${cert}, which is not valid for "${t.serverName}": ${nameError.message}`,
    hint: 'set gateway.incidents.sinks[].tls.serverName to a name the certificate carries, or reissue the collector certificate with that name',
  };
}

// The compiled, immutable routing graph. Everything the running engine needs is here,
// already proven by compile: nothing on the right half re-reads a file or re-checks a schema.
import type { SecureContext, ConnectionOptions, TlsOptions } from 'node:tls';
import type { TrustStore } from '../tls/trust.js';
import type { PolicySet } from '../policy/compile/compile.js';
import type { ExtractTuning } from '../policy/extract/limits.js';
import type { IncidentSinkSpec } from './incident-sinks.js';
import type { AdminSettings } from './admin-settings.js';
export type { IncidentSinkSpec, FileIncidentSink, SyslogIncidentSink } from './incident-sinks.js';
export type { AdminSettings } from './admin-settings.js';

export type StartTls = 'required' | 'optional' | 'disabled';
export type ClientCertificateMode = 'required' | 'optional' | 'none';
export type Mode = 'reflect' | 'forward';
export type RouteStrategy = 'failover' | 'round-robin';

export interface Revision {
  /** sha256 hex of every config file and every referenced certificate/key/trust file. */
  readonly hash: string;
  /** HEAD commit when the config directory is inside a git work tree. */
  readonly gitCommit?: string;
  readonly dir: string;
  readonly loadedAt: Date;
}

export interface CertificateSummary {
  readonly file: string;
  readonly subject: string;
  readonly fingerprint256: string;
  readonly validTo: Date;
  /** Topology entries that use this file, e.g. "gateway.tls.certificate", "receivers[mx-out-1].tls.trust". */
  readonly usedBy: readonly string[];
}

/** The gateway's own certificate and key, presented on both legs. */
export interface GatewayIdentity {
  readonly certificateFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly subject: string;
  readonly fingerprint256: string;
}

export interface TlsSettings {
  readonly authenticate: boolean;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string;
  readonly identity?: GatewayIdentity;
}

/** Inbound leg: upstream MTA → gateway. */
export interface InboundTls {
  readonly starttls: StartTls;
  readonly clientCertificate: ClientCertificateMode;
  readonly trust: TrustStore;
  readonly trustFiles: readonly string[];
  /** Server-side context built once: gateway cert/key, CA names of this upstream's trust list. */
  readonly secureContext?: SecureContext;
  /** The same settings as smtp-server/tls.createServer options (key, cert, ca names, minVersion, ciphers, requestCert). */
  readonly serverOptions?: Readonly<TlsOptions>;
}

/** Receiving leg: gateway → receiving MTA (a next hop, or the upstream itself when reflecting). */
export interface OutboundTls {
  readonly starttls: StartTls;
  readonly trust: TrustStore;
  readonly trustFiles: readonly string[];
  readonly verifyHostname: boolean;
  readonly serverName?: string;
  /** Client-side options built once: secureContext with the gateway cert as client certificate, rejectUnauthorized:false (we verify). */
  readonly options: ConnectionOptions;
}

export interface Upstream {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly mode: Mode;
  /** Reflect mode only. host undefined = the address the upstream connected from. */
  readonly reflect?: { readonly host?: string; readonly port: number; readonly tls: OutboundTls };
  readonly inbound: InboundTls;
  readonly xclient: boolean;
  readonly maxConnections: number;
}

/** Where an `mx` receiver's next hop comes from. */
export type MxSource = { readonly kind: 'recipient' } | { readonly kind: 'domain'; readonly domain: string };
export type MxTlsPolicy = 'may' | 'encrypt' | 'verify' | 'mta-sts' | 'dane';
export type MxTlsFallback = 'may' | 'encrypt' | 'verify';

/** An `mx` receiver's lookup and TLS policy; the connection settings are built per MX host at delivery. */
export interface MxSettings {
  readonly source: MxSource;
  readonly policy: MxTlsPolicy;
  readonly fallback: MxTlsFallback;
  /** CA certificates (PEM) that verify MX hosts under verify / mta-sts; undefined = the system's CAs. */
  readonly ca?: readonly string[];
  /** Client context with the gateway's certificate and `ca` (or the system CAs): OpenSSL verifies the chain. */
  readonly verifyContext?: SecureContext;
}

export interface Receiver {
  readonly name: string;
  /** '' for an `mx` receiver (its hosts come from DNS). */
  readonly host: string;
  /** Present when the next hop is found by MX lookup. */
  readonly mx?: MxSettings;
  readonly port: number;
  readonly tls: OutboundTls;
  readonly maxConnections: number;
  readonly maxMessagesPerConnection: number;
}

export interface Route {
  /** Position in routes[], also the route's identity in plans and logs. */
  readonly index: number;
  readonly domains: readonly string[];
  readonly receivers: readonly Receiver[];
  readonly strategy: RouteStrategy;
}

export interface Listener {
  readonly address: string;
  readonly port: number;
  /** PROXY protocol v1/v2 accepted only from these load balancers (CIDR). */
  readonly proxyProtocol?: { readonly trusted: readonly string[] };
}

export interface Timeouts {
  readonly connectMs: number;
  readonly greetingMs: number;
  readonly commandMs: number;
  readonly dataMs: number;
  readonly idleMs: number;
  /** 0 = no limit (the schema's default). */
  readonly sessionMs: number;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
}

/** gateway.dns: undefined servers = /etc/resolv.conf's (whose AD bit DANE never trusts). */
export interface DnsSettings {
  readonly servers?: readonly DnsServer[];
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly cacheEntries: number;
}

export interface MtaStsSettings {
  readonly port: number;
  readonly timeoutMs: number;
  /** CA certificates (PEM) for policy hosts; undefined = the system's CAs. */
  readonly ca?: readonly string[];
}

export interface GatewaySettings {
  readonly hostname: string;
  readonly maxMessageBytes: number;
  readonly maxRecipients: number;
  readonly greetingDelayMs: number;
  readonly limits: {
    readonly maxConnections: number;
    readonly maxConnectionsPerUpstream: number;
    /** Longest SMTP command line accepted; undefined = the SMTP library's default. */
    readonly maxCommandLineBytes?: number;
  };
  readonly timeouts: Timeouts;
  readonly tls: TlsSettings;
  readonly inspection: {
    readonly budgetMs: number;
    readonly onFailure: 'tempfail' | 'pass';
    /** A part no policy matched that could not be read: block (5xx), tempfail (451) or pass with a marker. */
    readonly onUnscannable: 'block' | 'tempfail' | 'pass';
    /** Admission: total bytes of messages in DATA or inspection at once, gateway-wide (451 4.3.2 beyond). */
    readonly maxConcurrentBytes: number;
    readonly maxDepth: number;
    readonly maxParts: number;
    readonly maxDecodedBytes: number;
    /** gateway.inspection.extraction with every default filled in. */
    readonly extraction: ExtractTuning;
  };
  /** path/maxBytes/keep: v1's file (or the default); sinks: every destination in use (that file among them unless `sinks` replaced it). */
  readonly incidents: { readonly path: string; readonly maxBytes: number; readonly keep: number; readonly sinks: readonly IncidentSinkSpec[] };
  readonly drain: { readonly graceMs: number };
  readonly spool: { readonly dir: string; readonly memoryThresholdBytes: number };
  /** HMAC key for the loop header; derived from gateway.loop.secretFile or the gateway key. */
  readonly loopSecret: Buffer;
  /** Where loopSecret came from (shown by `graph`, never the secret itself). */
  readonly loopSecretSource?: 'file' | 'gateway-key';
  /** A loop header older than this never skips inspection. */
  readonly loopMaxAgeSeconds: number;
  /** gateway.shadow: the candidate revision evaluated beside this one (dir resolved against the topology file). */
  readonly shadow?: { readonly dir: string };
  /** Resolvers for `mx` receivers; absent in graphs built before MX delivery existed (defaults apply). */
  readonly dns?: DnsSettings;
  readonly mtaSts?: MtaStsSettings;
}

export interface AddressMatcher<T> {
  /** Longest-prefix match of an IPv4/IPv6 address (IPv4-mapped IPv6 is treated as IPv4). */
  lookup(address: string): T | undefined;
}

export interface DomainRouter {
  /** First route (in file order) whose domain patterns match, or undefined. */
  lookup(domain: string): Route | undefined;
}

export interface RoutingGraph {
  readonly revision: Revision;
  readonly gateway: GatewaySettings;
  readonly listeners: readonly Listener[];
  readonly admin?: AdminSettings;
  readonly upstreams: readonly Upstream[];
  readonly receivers: ReadonlyMap<string, Receiver>;
  readonly routes: readonly Route[];
  readonly upstreamByAddress: AddressMatcher<Upstream>;
  readonly router: DomainRouter;
  readonly policies: PolicySet;
  /** Each policy as written (normalised JSON, by name), so `plan` can compare what the compiled set cannot show. */
  readonly policyDefinitions?: ReadonlyMap<string, unknown>;
  readonly certificates: readonly CertificateSummary[];
  /** Every file the graph was built from (config and certificates), for the watcher. */
  readonly files: readonly string[];
}

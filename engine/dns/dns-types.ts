// What the DNS client hands out: one answer per question, with the validation state the resolver
// reported. "secure" only ever comes from the AD bit of a configured resolver (gateway.dns.servers).
export type RecordType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'TLSA' | 'CNAME';

export interface DnsServerAddress {
  readonly host: string;
  readonly port: number;
}

export type MxData = { readonly preference: number; readonly exchange: string };
export type TlsaData = { readonly usage: number; readonly selector: number; readonly matchingType: number; readonly data: Buffer };

/** One record of the answer section, already decoded; CNAMEs kept so callers can chase them. */
export type DnsRecord =
  | { readonly type: 'A' | 'AAAA' | 'CNAME'; readonly name: string; readonly ttl: number; readonly value: string }
  | { readonly type: 'MX'; readonly name: string; readonly ttl: number; readonly value: MxData }
  | { readonly type: 'TXT'; readonly name: string; readonly ttl: number; readonly value: string }
  | { readonly type: 'TLSA'; readonly name: string; readonly ttl: number; readonly value: TlsaData };

/** Whether the answer may be relied on for DANE: secure = AD set by a trusted resolver. */
export type Validation = 'secure' | 'insecure';

export type DnsAnswer =
  | { readonly kind: 'records'; readonly records: readonly DnsRecord[]; readonly validation: Validation; readonly server: string }
  /** NOERROR with no record of the type (NODATA), or NXDOMAIN: negative answers, cached from the SOA minimum. */
  | { readonly kind: 'nodata' | 'nxdomain'; readonly validation: Validation; readonly server: string }
  /** SERVFAIL (a validating resolver's answer to bogus data), REFUSED, timeouts, malformed replies. */
  | { readonly kind: 'failed'; readonly code: DnsFailureCode; readonly message: string; readonly server: string };

export type DnsFailureCode = 'RG_DNS_SERVFAIL' | 'RG_DNS_REFUSED' | 'RG_DNS_TIMEOUT' | 'RG_DNS_NETWORK' | 'RG_DNS_MALFORMED' | 'RG_DNS_RCODE';

export function serverText(s: DnsServerAddress): string {
  return s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}

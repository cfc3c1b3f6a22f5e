// The TLS matrix of issue #4 as data: six axes, their cross product (288 cells), the reduction that maps
// every cell to the test that covers it, and the expected behaviour of each cell, written from the
// contract (CONTRACT.md, README "TLS", the topology schema), never read back from the engine.
import { makeTestPki } from './pki.js';
import type { TestCert, TestPki } from './pki.js';

export const MODES = ['forward', 'reflect'] as const;
export const LEGS = ['inbound', 'receiving'] as const;
export const STARTTLS = ['required', 'optional', 'disabled'] as const;
export const PEER_CERTIFICATES = ['trusted', 'untrusted', 'expired', 'wrong-host'] as const;
export const AUTHENTICATE = [true, false] as const;
/**
 * Inbound leg: `upstreams[corp].tls.clientCertificate`, i.e. what the gateway asks of the upstream.
 * Receiving leg: what the receiving MTA asks of the gateway (the gateway has no such setting: it always
 * presents gateway.tls.certificate when asked), i.e. the MTA's own "required / optional / none".
 */
export const CLIENT_CERTIFICATES = ['required', 'optional', 'none'] as const;

export type Mode = (typeof MODES)[number];
export type Leg = (typeof LEGS)[number];
export type StartTls = (typeof STARTTLS)[number];
export type PeerCertificate = (typeof PEER_CERTIFICATES)[number];
export type ClientCertificate = (typeof CLIENT_CERTIFICATES)[number];

export interface Cell {
  readonly mode: Mode;
  readonly leg: Leg;
  readonly starttls: StartTls;
  /** Inbound: the certificate the upstream presents as client. Receiving: the receiving MTA's server certificate. */
  readonly peer: PeerCertificate;
  readonly authenticate: boolean;
  readonly clientCertificate: ClientCertificate;
}

export function cellName(c: Cell): string {
  return `${c.mode} ${c.leg} starttls:${c.starttls} peer:${c.peer} authenticate:${String(c.authenticate)} clientCertificate:${c.clientCertificate}`;
}

/** Every combination of the six axes, in axis order. */
export function allCells(): readonly Cell[] {
  const out: Cell[] = [];
  for (const mode of MODES)
    for (const leg of LEGS)
      for (const starttls of STARTTLS)
        for (const peer of PEER_CERTIFICATES)
          for (const authenticate of AUTHENTICATE)
            for (const clientCertificate of CLIENT_CERTIFICATES) out.push(Object.freeze({ mode, leg, starttls, peer, authenticate, clientCertificate }));
  return out;
}

// ---- reduction: which cells share a test ------------------------------------------------------------

/**
 * Why cells share a test. Only axes that cannot reach the wire are folded; everything that could make
 * the gateway behave differently keeps its own test (e.g. the inbound wrong-host certificate is expected
 * to behave like the trusted one, since client certificates are not hostname-checked, but it keeps its
 * own test so that a gateway which started checking names would be caught).
 */
export type SharingRule = 'no-tls' | 'no-certificate-request' | 'same-certificate-request';

export const SHARING_RULES: { readonly [R in SharingRule]: string } = {
  'no-tls':
    'starttls: disabled — no handshake, so no certificate crosses the wire: the peer certificate and authenticate cannot matter (receiving leg: nor what the MTA would ask of the gateway)',
  'no-certificate-request':
    'inbound clientCertificate: none — the gateway sends no CertificateRequest, so the upstream never presents its certificate and the peer certificate cannot matter',
  'same-certificate-request':
    'receiving leg, MTA asks for a client certificate: required and optional send the same CertificateRequest (enforcing it is the MTA\'s local policy), and the gateway always answers with its own identity',
};

export interface Representative {
  readonly cell: Cell;
  /** The rules that folded this cell into `cell`; empty when the cell is its own test. */
  readonly rules: readonly SharingRule[];
}

/** The cell whose test covers `c`: folded axes take their first value. */
export function representativeOf(c: Cell): Representative {
  const rules: SharingRule[] = [];
  let r: Cell = c;
  if (c.starttls === 'disabled') {
    // Inbound keeps clientCertificate: none is a plaintext session, required/optional are refused by the config check.
    const clientCertificate = c.leg === 'receiving' ? CLIENT_CERTIFICATES[0] : c.clientCertificate;
    r = { ...r, peer: PEER_CERTIFICATES[0], authenticate: AUTHENTICATE[0], clientCertificate };
    rules.push('no-tls');
  } else if (c.leg === 'inbound' && c.clientCertificate === 'none') {
    r = { ...r, peer: PEER_CERTIFICATES[0] };
    rules.push('no-certificate-request');
  } else if (c.leg === 'receiving' && c.clientCertificate === 'optional') {
    r = { ...r, clientCertificate: 'required' };
    rules.push('same-certificate-request');
  }
  const folded = cellName(r) !== cellName(c);
  return { cell: Object.freeze(r), rules: folded ? rules : [] };
}

export interface MatrixTest {
  readonly representative: Cell;
  readonly cells: readonly Cell[];
  readonly rules: readonly SharingRule[];
}

/** One entry per distinct test, in the order of the first cell it covers. */
export function matrixTests(cells: readonly Cell[] = allCells()): readonly MatrixTest[] {
  const byKey = new Map<string, { representative: Cell; cells: Cell[]; rules: Set<SharingRule> }>();
  for (const c of cells) {
    const r = representativeOf(c);
    const key = cellName(r.cell);
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { representative: r.cell, cells: [], rules: new Set() };
      byKey.set(key, entry);
    }
    entry.cells.push(c);
    for (const rule of r.rules) entry.rules.add(rule);
  }
  return [...byKey.values()].map((e) => ({ representative: e.representative, cells: e.cells, rules: [...e.rules] }));
}

// ---- the expected behaviour ------------------------------------------------------------------------

export type FailureReason = 'unknown-issuer' | 'expired' | 'hostname-mismatch';
export type FailureCode = 'RG_TLS_PEER_UNKNOWN_ISSUER' | 'RG_TLS_PEER_EXPIRED' | 'RG_TLS_PEER_HOSTNAME_MISMATCH';

export interface PeerFailure {
  readonly reason: FailureReason;
  readonly code: FailureCode;
}

const UNKNOWN_ISSUER: PeerFailure = { reason: 'unknown-issuer', code: 'RG_TLS_PEER_UNKNOWN_ISSUER' };
const EXPIRED: PeerFailure = { reason: 'expired', code: 'RG_TLS_PEER_EXPIRED' };
const HOSTNAME: PeerFailure = { reason: 'hostname-mismatch', code: 'RG_TLS_PEER_HOSTNAME_MISMATCH' };

/** What verification against the trust list must say about each certificate, per leg. */
const FAILURES: { readonly [L in Leg]: { readonly [P in PeerCertificate]: PeerFailure | null } } = {
  // The upstream is identified by its address, and a client certificate carries no name to check against it.
  inbound: { trusted: null, untrusted: UNKNOWN_ISSUER, expired: EXPIRED, 'wrong-host': null },
  // verifyHostname: true on every receiving leg of the matrix.
  receiving: { trusted: null, untrusted: UNKNOWN_ISSUER, expired: EXPIRED, 'wrong-host': HOSTNAME },
};

/** How a delivered message's leg was protected, as the transaction record and the Received header must say. */
export type LegProtection = 'clear' | 'no-peer-certificate' | 'verified' | 'unverified';

export type Verdict =
  /** The topology does not build (RG_CFG_TLS_CONFLICT), so the gateway never serves it. */
  | { readonly kind: 'config-refused' }
  | { readonly kind: 'delivered'; readonly protection: LegProtection }
  /** Inbound: 421 4.7.0 right after the handshake. Receiving: 421 4.4.1 to the upstream, nothing sent. */
  | { readonly kind: 'refused'; readonly failure: PeerFailure };

export function verdictOf(c: Cell): Verdict {
  if (c.starttls === 'disabled') {
    return c.leg === 'inbound' && c.clientCertificate !== 'none' ? { kind: 'config-refused' } : { kind: 'delivered', protection: 'clear' };
  }
  if (c.leg === 'inbound' && c.clientCertificate === 'none') return { kind: 'delivered', protection: 'no-peer-certificate' };
  if (!c.authenticate) return { kind: 'delivered', protection: 'unverified' };
  const failure = FAILURES[c.leg][c.peer];
  return failure === null ? { kind: 'delivered', protection: 'verified' } : { kind: 'refused', failure };
}

/** Receiving leg: whether the MTA must have received the gateway's own certificate. */
export function gatewayPresentsCertificate(c: Cell): boolean {
  return c.leg === 'receiving' && c.starttls !== 'disabled' && c.clientCertificate !== 'none';
}

export function verdictText(v: Verdict): string {
  switch (v.kind) {
    case 'config-refused':
      return 'config refused (RG_CFG_TLS_CONFLICT)';
    case 'delivered':
      return `delivered (${v.protection})`;
    case 'refused':
      return `refused [${v.failure.code}]`;
    default: {
      const never: never = v;
      throw new Error(`unknown verdict ${JSON.stringify(never)}`);
    }
  }
}

// ---- certificates -----------------------------------------------------------------------------------

/** SNI / verification name of the forward receiver; reflect legs verify the connected address (127.0.0.1). */
export const RECEIVER_SERVER_NAME = 'mx.example.test';

export interface MatrixPki {
  readonly pki: TestPki;
  /** Client certificates the upstream presents on the inbound leg. */
  readonly upstream: { readonly [P in PeerCertificate]: TestCert };
  /** Server certificates of the receiving MTA (forward receiver or reflect re-injection listener). */
  readonly receiving: { readonly [P in PeerCertificate]: TestCert };
}

/**
 * trusted: issued by the CA every trust list names, for the peer's names (DNS and 127.0.0.1).
 * untrusted: same names, issued by a second CA no trust list contains. expired: the trusted CA's, validity
 * over. wrong-host: the trusted CA's, valid, for a name the peer does not have.
 */
export function makeMatrixPki(dir: string): MatrixPki {
  const pki = makeTestPki(dir);
  const set = (prefix: string, names: readonly string[], wrong: string): MatrixPki['upstream'] => ({
    trusted: pki.issue(`${prefix}-trusted`, names),
    untrusted: pki.issue(`${prefix}-untrusted`, names, { otherCa: true }),
    expired: pki.issue(`${prefix}-expired`, names, { expired: true }),
    'wrong-host': pki.issue(`${prefix}-wrong-host`, [wrong]),
  });
  return {
    pki,
    upstream: set('upstream', ['mta.corp.example', '127.0.0.1'], 'mta.elsewhere.example'),
    receiving: set('receiving', [RECEIVER_SERVER_NAME, '127.0.0.1'], 'mx.elsewhere.example'),
  };
}

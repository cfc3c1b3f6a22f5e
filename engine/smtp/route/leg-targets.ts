// Where a receiving leg goes and how: connect options with their TLS verifier, built once per
// generation per receiver (and per reflect host), so the pool can match idle connections by identity.
import { describeVerificationFailure, peerChainOf, verifyPeer } from '../../tls/trust.js';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { OutboundTls, Receiver, RoutingGraph, Upstream } from '../../graph/types.js';
import type { TlsObserver } from '../leg-tls.js';
import type { RelayConnectOptions, TlsVerifyResult } from '../relay/relay-client.js';

export interface LegTarget {
  /** Receiver name, or the upstream's name for its re-injection listener. */
  readonly name: string;
  readonly kind: 'receiver' | 'reflect';
  readonly opts: RelayConnectOptions;
  /** How failures name this target when the name alone does not say it (an MX host of a domain, its TLS policy). */
  readonly label?: string;
}

interface VerifierContext {
  readonly name: string;
  readonly kind: LegTarget['kind'];
  readonly host: string;
  readonly port: number;
  readonly tls: OutboundTls;
  readonly limits?: { readonly maxConnections: number; readonly maxMessagesPerConnection: number };
}

export class LegTargets {
  readonly #graph: RoutingGraph;
  readonly #logger: Logger;
  readonly #observer: TlsObserver;
  readonly #receivers = new Map<Receiver, LegTarget>();
  readonly #reflect = new Map<string, LegTarget>();

  constructor(graph: RoutingGraph, logger: Logger, observer: TlsObserver) {
    this.#graph = graph;
    this.#logger = logger;
    this.#observer = observer;
  }

  receiver(r: Receiver): LegTarget {
    let t = this.#receivers.get(r);
    if (t === undefined) {
      t = this.#build({ name: r.name, kind: 'receiver', host: r.host, port: r.port, tls: r.tls, limits: { maxConnections: r.maxConnections, maxMessagesPerConnection: r.maxMessagesPerConnection } });
      this.#receivers.set(r, t);
    }
    return t;
  }

  /** The upstream's re-injection listener: reflect.host, else the address it connected from. */
  reflect(u: Upstream, remoteAddress: string): LegTarget {
    const reflect = u.reflect;
    if (reflect === undefined) throw new Error(`RG_ENGINE_NO_REFLECT: upstream ${u.name} has no reflect settings`);
    // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; connect (and pool) by the plain address.
    const host = reflect.host ?? remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const key = `${u.name}\n${host}`;
    let t = this.#reflect.get(key);
    if (t === undefined) {
      t = this.#build({ name: u.name, kind: 'reflect', host, port: reflect.port, tls: reflect.tls });
      this.#reflect.set(key, t);
    }
    return t;
  }

  #build(v: VerifierContext): LegTarget {
    const g = this.#graph.gateway;
    const verify = g.tls.authenticate ? (socket: TLSSocket): TlsVerifyResult => this.#verify(v, socket) : undefined;
    const opts: RelayConnectOptions = {
      host: v.host,
      port: v.port,
      ehloName: g.hostname,
      timeouts: { connectMs: g.timeouts.connectMs, greetingMs: g.timeouts.greetingMs, commandMs: g.timeouts.commandMs, dataMs: g.timeouts.dataMs, idleMs: g.timeouts.idleMs },
      tls: verify === undefined ? { starttls: v.tls.starttls, options: v.tls.options } : { starttls: v.tls.starttls, options: v.tls.options, verify },
      ...(v.limits === undefined ? {} : { limits: v.limits }),
    };
    return Object.freeze({ name: v.name, kind: v.kind, opts });
  }

  #verify(v: VerifierContext, socket: TLSSocket): TlsVerifyResult {
    const hostname = v.tls.verifyHostname ? (v.tls.serverName ?? v.host) : undefined;
    const result = verifyPeer(peerChainOf(socket), v.tls.trust, hostname === undefined ? {} : { hostname });
    const address = `${v.host}:${v.port}`;
    if (result.ok) return { ok: true };
    const trustKey = v.kind === 'reflect' ? `upstreams[${v.name}].tls.trust` : undefined;
    const settingsKey = v.kind === 'reflect' ? `upstreams[${v.name}].reflect.tls` : undefined;
    const text = describeVerificationFailure(result, {
      leg: 'receiving',
      peerName: v.name,
      address,
      trustFiles: v.tls.trustFiles,
      ...(trustKey === undefined ? {} : { trustKey }),
      ...(settingsKey === undefined ? {} : { settingsKey }),
    });
    this.#logger.warn({ code: result.code, leg: 'receiving', peer: v.name, address, fingerprint256: result.certificate?.fingerprint256, hint: text.hint }, text.message);
    this.#observer.tlsHandshake({
      leg: 'receiving',
      peer: v.name,
      address,
      result: 'failed',
      reason: result.reason,
      hint: text.hint,
      ...(result.certificate === undefined ? {} : { fingerprint256: result.certificate.fingerprint256 }),
    });
    return { ok: false, message: text.message, code: result.code };
  }
}

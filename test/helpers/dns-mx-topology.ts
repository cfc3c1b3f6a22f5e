// Gateway topologies for MX tests: one forward upstream (127.0.0.1) and one `mx` receiver whose TLS
// policy the test picks, resolving through the test's unbound.
import { join } from 'node:path';
import { RawSmtpClient, rawTransaction, testMessage } from './gateway-harness.js';
import type { RawTransaction, TopologyEnv } from './gateway-harness.js';
import type { ReceiverTlsSection, TopologyFile } from '../../engine/config/generated/topology.js';

export interface MxTopologyOptions {
  readonly port: number;
  readonly servers: readonly string[];
  readonly policy?: ReceiverTlsSection['policy'];
  readonly fallback?: ReceiverTlsSection['fallback'];
  /** Trust the test CA for MX certificates (default true); false = the system's CAs. */
  readonly trustTestCa?: boolean;
  readonly mx?: string;
  readonly dnsTimeoutMs?: number;
  readonly mtaStsPort?: number;
  readonly authenticate?: boolean;
}

export function mxTopology(env: TopologyEnv, o: MxTopologyOptions): TopologyFile {
  const trust = o.trustTestCa === false ? [] : [env.pki.ca.certPath];
  return {
    version: 1,
    gateway: {
      hostname: 'gw.example.test',
      listen: [{ address: '127.0.0.1', port: 10025 }],
      tls: { certificate: env.pki.gateway.certPath, key: env.pki.gateway.keyPath, authenticate: o.authenticate ?? true },
      spool: { dir: join(env.dir, 'spool') },
      incidents: { path: join(env.dir, 'incidents.jsonl') },
      timeouts: { connectMs: 2000, greetingMs: 5000, commandMs: 5000 },
      dns: { servers: o.servers as [string, ...string[]], timeoutMs: o.dnsTimeoutMs ?? 2000, attempts: 1 },
      ...(o.mtaStsPort === undefined ? {} : { mtaSts: { port: o.mtaStsPort, timeoutMs: 3000, trust: [env.pki.ca.certPath] } }),
    },
    upstreams: [{ name: 'corp', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'optional', clientCertificate: 'none', trust: [] } }],
    receivers: [
      {
        name: 'internet',
        mx: o.mx ?? 'recipient',
        port: o.port,
        tls: { policy: o.policy ?? 'may', ...(o.fallback === undefined ? {} : { fallback: o.fallback }), trust },
      },
    ],
    routes: [{ domains: ['*'], receivers: ['internet'] }],
  };
}

/** One transaction through the gateway at `port`, then QUIT. */
export async function sendThrough(port: number, to: readonly string[], from = 'alice@corp.example'): Promise<RawTransaction> {
  const c = await RawSmtpClient.connect(port);
  try {
    await c.reply();
    return await rawTransaction(c, { ehlo: 'corp.example', from, to, body: testMessage() });
  } finally {
    if (!c.ended) await c.command('QUIT').catch(() => undefined);
  }
}

// Runs the real CLI (`node bin/relayguard.js serve DIR`) as a child process, the way operators do.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, waitForPort, type OwnedProcess } from '../helpers/processes.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import { GATEWAY_HOSTNAME, type TestPki } from '../helpers/pki.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = join(projectRoot, 'bin', 'relayguard.js');

export async function startGatewayProcess(dir: string, port: number, extraArgs: readonly string[] = []): Promise<OwnedProcess> {
  const proc = startProcess(process.execPath, [cliPath, 'serve', dir, '--log-level', 'warn', ...(extraArgs.includes('--workers') ? [] : ['--workers', '1']), ...extraArgs], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: 'test' },
  });
  try {
    await waitForPort(port);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`gateway did not start: ${(err as Error).message}\n${proc.output()}`);
  }
  return proc;
}

/**
 * One upstream on loopback that must use STARTTLS and present a client certificate issued by the test CA,
 * relayed in clear to one receiver: the topology the interop tests drive with swaks and Postfix.
 */
export function mutualTlsTopology(o: { readonly port: number; readonly pki: TestPki; readonly upstream: string; readonly receiverPort: number }): TopologyFile {
  return {
    version: 1,
    gateway: {
      hostname: GATEWAY_HOSTNAME,
      listen: [{ address: '127.0.0.1', port: o.port }],
      tls: { certificate: o.pki.gateway.certPath, key: o.pki.gateway.keyPath, authenticate: true },
    },
    upstreams: [{ name: o.upstream, addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'required', clientCertificate: 'required', trust: [o.pki.ca.certPath] } }],
    receivers: [{ name: 'mx', host: '127.0.0.1', port: o.receiverPort, tls: { starttls: 'disabled' } }],
    routes: [{ domains: ['*'], receivers: ['mx'] }],
  };
}

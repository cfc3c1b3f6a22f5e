// How a cluster worker's listener shares its port with the other workers. Without reusePort the worker's
// listen() goes through the primary, which accepts every connection and hands it to a worker over IPC
// (round robin): one more process on the connection's path and its CPU on every accept. With Node's
// `reusePort` (22.12+ on 22.x, 23.1+) every worker binds its own SO_REUSEPORT socket (exclusive: no
// primary) and the kernel spreads the connections; the primary then idles.
import cluster from 'node:cluster';

export interface ListenSharing {
  readonly reusePort?: true;
  readonly exclusive?: true;
}

/** Node versions whose net.Server.listen() takes `reusePort` (older ones ignore the option silently). */
export function reusePortSupported(version: string = process.versions.node, platform: string = process.platform): boolean {
  // SO_REUSEPORT with kernel load balancing between processes: Linux 3.9+ (FreeBSD's differs before 12, macOS does not balance)
  if (platform !== 'linux') return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/**
 * Listen options for a listener on `port`. Port 0 stays shared through the primary: each worker binding
 * its own port 0 would get a different port.
 */
export function listenSharing(port: number, env: { readonly isWorker: boolean; readonly reusePort: boolean } = { isWorker: cluster.isWorker, reusePort: reusePortSupported() }): ListenSharing {
  if (!env.isWorker || !env.reusePort || port === 0) return {};
  return { reusePort: true, exclusive: true };
}

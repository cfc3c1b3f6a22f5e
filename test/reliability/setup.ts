// Gateways for the reliability suite: the in-process harness with short timeouts, a forward upstream on
// 127.0.0.1 and one receiver, plus a warm-up so the descriptor baseline is taken after lazy loading.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { forwardTopology, startGateway } from '../helpers/gateway-harness.js';
import { Cleanup, expectFdsBackTo, openFds } from './leaks.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import type { ForwardTopologyOptions, GatewayHarness, TopologyEnv } from '../helpers/gateway-harness.js';
import type { RecordingMta } from '../helpers/recording-mta.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

/** Short receiving-leg timeouts so hangs turn into 4xx quickly; the inbound idle timeout stays generous. */
export const FAST_TIMEOUTS = Object.freeze({ connectMs: 500, greetingMs: 500, commandMs: 600, dataMs: 800, idleMs: 15_000 });

export const SENDER = 'alice@corp.example';
export const RECIPIENT = 'bob@example.org';

export interface ReliabilityGatewayOptions {
  readonly receiverPort: number;
  readonly starttls?: 'required' | 'optional' | 'disabled';
  readonly gateway?: Partial<TopologyFile['gateway']>;
  readonly upstream?: ForwardTopologyOptions['upstream'];
  readonly routes?: TopologyFile['routes'];
  readonly policies?: Readonly<Record<string, PolicyFile>>;
  /** Last-minute changes to the whole topology (extra upstreams). */
  readonly edit?: (t: TopologyFile, env: TopologyEnv) => TopologyFile;
}

export function startReliabilityGateway(o: ReliabilityGatewayOptions): Promise<GatewayHarness> {
  return startGateway({
    topology: (env) => {
      const t = forwardTopology(env, {
        receivers: [{ name: 'mx-1', port: o.receiverPort, starttls: o.starttls ?? 'disabled' }],
        gateway: { timeouts: FAST_TIMEOUTS, ...o.gateway },
        ...(o.upstream === undefined ? {} : { upstream: o.upstream }),
        ...(o.routes === undefined ? {} : { routes: o.routes }),
      });
      return o.edit === undefined ? t : o.edit(t, env);
    },
    ...(o.policies === undefined ? {} : { policies: o.policies }),
  });
}

/**
 * A recording MTA and a reliability gateway in front of it for the enclosing describe block (or file):
 * started in beforeAll, closed in afterAll. Read `peers.mx` / `peers.gw` inside tests.
 */
export function useGatewayWithMta(o: Omit<ReliabilityGatewayOptions, 'receiverPort'> = {}): { readonly mx: RecordingMta; readonly gw: GatewayHarness } {
  const cleanup = new Cleanup();
  const peers = {} as { mx: RecordingMta; gw: GatewayHarness };
  beforeAll(async () => {
    peers.mx = await startRecordingMta();
    cleanup.add(() => peers.mx.close());
    peers.gw = await startReliabilityGateway({ ...o, receiverPort: peers.mx.port });
    cleanup.add(() => peers.gw.close());
  });
  afterAll(() => cleanup.run());
  return peers;
}

/** One full start/stop of gateway + MTA, so lazily loaded modules and pooled keys exist before fds are counted. */
export async function warmUp(): Promise<void> {
  const mx = await startRecordingMta();
  const gw = await startReliabilityGateway({ receiverPort: mx.port });
  await gw.close();
  await mx.close();
}

/**
 * Registers the suite's leak checks (no descriptor left behind after each test) and returns a factory for a
 * recording MTA with a gateway in front of it, both closed by the returned cleanup after each test.
 */
export function useLeakCheckedStacks(): {
  readonly cleanup: Cleanup;
  stack(opts?: Omit<ReliabilityGatewayOptions, 'receiverPort'>): Promise<{ mx: RecordingMta; gw: GatewayHarness }>;
} {
  const cleanup = new Cleanup();
  let fds = 0;
  beforeAll(() => warmUp());
  beforeEach(() => {
    fds = openFds();
  });
  afterEach(async () => {
    await cleanup.run();
    await expectFdsBackTo(fds);
  });
  return {
    cleanup,
    async stack(opts = {}) {
      const mx = await startRecordingMta();
      cleanup.add(() => mx.close());
      const gw = await startReliabilityGateway({ receiverPort: mx.port, ...opts });
      cleanup.add(() => gw.close());
      return { mx, gw };
    },
  };
}

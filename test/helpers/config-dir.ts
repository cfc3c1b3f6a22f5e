// Writes a config directory (topology + optional policy files) for tests that run the real CLI.
// A topology with no loop secret and no gateway key would be refused (RG_CFG_LOOP_SECRET_MISSING):
// such a test topology gets a loop.secret file of its own, so tests about other things stay about them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

export function writeConfigDir(
  dir: string,
  topology: TopologyFile,
  policies: Readonly<Record<string, PolicyFile>> = {},
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'topology.yaml'), stringify(withLoopSecret(dir, topology)));
  for (const [name, policy] of Object.entries(policies)) {
    writeFileSync(join(dir, `${name}.policy.yaml`), stringify(policy));
  }
  return dir;
}

function withLoopSecret(dir: string, topology: TopologyFile): TopologyFile {
  const g = topology.gateway;
  if (g.loop?.secretFile !== undefined || g.tls?.key !== undefined) return topology;
  writeFileSync(join(dir, 'loop.secret'), 'test-loop-secret-0123456789abcdef0123456789abcdef\n');
  return { ...topology, gateway: { ...g, loop: { ...g.loop, secretFile: 'loop.secret' } } };
}

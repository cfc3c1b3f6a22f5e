// Writes a config directory (topology + optional policy files) for tests that run the real CLI.
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
  writeFileSync(join(dir, 'topology.yaml'), stringify(topology));
  for (const [name, policy] of Object.entries(policies)) {
    writeFileSync(join(dir, `${name}.policy.yaml`), stringify(policy));
  }
  return dir;
}

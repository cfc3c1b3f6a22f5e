// How many cores this process may really use: os.availableParallelism() counts the host's cores, a
// container's CPU quota (cgroup v2 cpu.max, v1 cfs_quota_us / cfs_period_us) can be far lower.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface CpuSources {
  readonly cores: () => number;
  readonly read: (path: string) => string | undefined;
}

const SYSTEM: CpuSources = {
  cores: availableParallelism,
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** Whole cores of the cgroup quota (at least 1), or undefined when there is no quota. */
export function cgroupCpuLimit(src: CpuSources = SYSTEM): number | undefined {
  const v2 = src.read('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/);
  if (v2 !== undefined && v2.length === 2) return cores(v2[0], v2[1]);
  return cores(src.read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim(), src.read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim());
}

function cores(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  // "max" (v2) and -1 (v1) mean no quota
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return Math.max(1, Math.floor(q / p));
}

/** The cores this process may use: the host's, capped by the container's CPU quota. */
export function usableCores(src: CpuSources = SYSTEM): number {
  const host = Math.max(1, src.cores());
  const limit = cgroupCpuLimit(src);
  return limit === undefined ? host : Math.min(host, limit);
}

/**
 * `serve --workers auto`: one in-process gateway on up to 2 usable cores, else one worker per usable core
 * but one. A worker never gets a core to itself on a 2-core host: the cluster primary's hand-off, the
 * kernel's loopback/TCP work and the MTAs on either side compete for the same two cores, and measured
 * there two workers lost to one in every cell (docs/benchmarks.md, "Workers and connections"). The core
 * left over on bigger hosts is for that same work (and the primary's accept loop where Node has no
 * reusePort).
 */
export function autoWorkers(src: CpuSources = SYSTEM): number {
  const usable = usableCores(src);
  return usable <= 2 ? 1 : usable - 1;
}

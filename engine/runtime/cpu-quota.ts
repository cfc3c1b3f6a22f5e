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

/** `serve --workers auto`: the host's cores, capped by the container's CPU quota. */
export function autoWorkers(src: CpuSources = SYSTEM): number {
  const host = Math.max(1, src.cores());
  const limit = cgroupCpuLimit(src);
  return limit === undefined ? host : Math.min(host, limit);
}

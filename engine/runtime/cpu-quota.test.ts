import { describe, expect, it } from 'vitest';
import { autoWorkers, cgroupCpuLimit } from './cpu-quota.js';

const src = (cores: number, files: Record<string, string>) => ({ cores: () => cores, read: (p: string) => files[p] });

describe('--workers auto', () => {
  it('uses the host cores when no cgroup quota is set (v2 "max", v1 -1, no files)', () => {
    expect(autoWorkers(src(8, { '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBe(8);
    expect(autoWorkers(src(8, { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }))).toBe(8);
    expect(autoWorkers(src(4, {}))).toBe(4);
  });

  it('caps at the container quota, rounding down, never below 1', () => {
    expect(cgroupCpuLimit(src(64, { '/sys/fs/cgroup/cpu.max': '200000 100000\n' }))).toBe(2);
    expect(autoWorkers(src(64, { '/sys/fs/cgroup/cpu.max': '250000 100000' }))).toBe(2);
    expect(autoWorkers(src(64, { '/sys/fs/cgroup/cpu.max': '50000 100000' }))).toBe(1);
    expect(autoWorkers(src(64, { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }))).toBe(4);
    expect(autoWorkers(src(2, { '/sys/fs/cgroup/cpu.max': '800000 100000' }))).toBe(2);
  });

  it('ignores a garbled quota file', () => {
    expect(autoWorkers(src(3, { '/sys/fs/cgroup/cpu.max': 'what\n' }))).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { autoWorkers, cgroupCpuLimit, usableCores } from './cpu-quota.js';

const src = (cores: number, files: Record<string, string>) => ({ cores: () => cores, read: (p: string) => files[p] });

describe('usable cores', () => {
  it('uses the host cores when no cgroup quota is set (v2 "max", v1 -1, no files)', () => {
    expect(usableCores(src(8, { '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBe(8);
    expect(usableCores(src(8, { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }))).toBe(8);
    expect(usableCores(src(4, {}))).toBe(4);
  });

  it('caps at the container quota, rounding down, never below 1', () => {
    expect(cgroupCpuLimit(src(64, { '/sys/fs/cgroup/cpu.max': '200000 100000\n' }))).toBe(2);
    expect(usableCores(src(64, { '/sys/fs/cgroup/cpu.max': '250000 100000' }))).toBe(2);
    expect(usableCores(src(64, { '/sys/fs/cgroup/cpu.max': '50000 100000' }))).toBe(1);
    expect(usableCores(src(64, { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }))).toBe(4);
    expect(usableCores(src(2, { '/sys/fs/cgroup/cpu.max': '800000 100000' }))).toBe(2);
  });

  it('ignores a garbled quota file', () => {
    expect(usableCores(src(3, { '/sys/fs/cgroup/cpu.max': 'what\n' }))).toBe(3);
  });
});

describe('--workers auto', () => {
  it.each([
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 3],
    [8, 7],
    [64, 63],
  ])('%i usable cores → %i worker(s): in-process up to 2, then one per core but one', (cores, workers) => {
    expect(autoWorkers(src(cores, {}))).toBe(workers);
  });

  it('counts the container quota, not the host: 64 host cores limited to 2 CPUs serve in-process', () => {
    expect(autoWorkers(src(64, { '/sys/fs/cgroup/cpu.max': '200000 100000' }))).toBe(1);
    expect(autoWorkers(src(64, { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }))).toBe(3);
    expect(autoWorkers(src(2, { '/sys/fs/cgroup/cpu.max': '800000 100000' }))).toBe(1);
  });
});

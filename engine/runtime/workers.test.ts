import cluster from 'node:cluster';
import { describe, expect, it } from 'vitest';
import { schedulingPolicyFor } from './workers.js';

describe('how connections reach cluster workers', () => {
  it('workers accept themselves (SCHED_NONE): the primary is not on the connection path', () => {
    expect(schedulingPolicyFor({})).toBe(cluster.SCHED_NONE);
    expect(schedulingPolicyFor({ NODE_CLUSTER_SCHED_POLICY: '' })).toBe(cluster.SCHED_NONE);
  });

  it("leaves Node's NODE_CLUSTER_SCHED_POLICY to the operator (rr brings the round-robin hand-off back)", () => {
    expect(schedulingPolicyFor({ NODE_CLUSTER_SCHED_POLICY: 'rr' })).toBeUndefined();
    expect(schedulingPolicyFor({ NODE_CLUSTER_SCHED_POLICY: 'none' })).toBeUndefined();
  });
});

// Names are how routes, policies and logs refer to entries: each must be unique within its list.
import type { Diagnostic } from './diagnostic.js';
import { displayPath, joinPointer } from './pointer.js';
import { report } from './topology-context.js';
import type { TopologyContext } from './topology-context.js';

export function checkDuplicateNames(ctx: TopologyContext): Diagnostic[] {
  return [
    ...duplicates(ctx, 'upstreams', 'upstream', ctx.data.upstreams.map((u) => u.name)),
    ...duplicates(ctx, 'receivers', 'receiver', (ctx.data.receivers ?? []).map((r) => r.name)),
  ];
}

function duplicates(ctx: TopologyContext, list: string, what: string, names: readonly string[]): Diagnostic[] {
  const first = new Map<string, number>();
  const out: Diagnostic[] = [];
  names.forEach((name, index) => {
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, index);
      return;
    }
    out.push(
      report(ctx, joinPointer('', list, index, 'name'), {
        code: 'RG_CFG_DUPLICATE_NAME',
        message: `duplicate ${what} name ${JSON.stringify(name)} (first used by ${displayPath(joinPointer('', list, earlier))})`,
        hint: `give each ${what} its own name`,
      }),
    );
  });
  return out;
}

// Address syntax everywhere, and upstream blocks that overlap (a connecting address must identify one upstream).
import { parseAddressBlock, parseIp } from './address-block.js';
import type { AddressBlock } from './address-block.js';
import type { Diagnostic } from './diagnostic.js';
import { displayPath, joinPointer } from './pointer.js';
import { report } from './topology-context.js';
import type { TopologyContext } from './topology-context.js';

interface Located {
  readonly block: AddressBlock;
  readonly upstream: number;
  readonly pointer: string;
}

export function checkAddresses(ctx: TopologyContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { gateway } = ctx.data;
  gateway.listen.forEach((l, i) => {
    out.push(...checkPlainIp(ctx, joinPointer('', 'gateway', 'listen', i, 'address'), l.address));
    l.proxyProtocol?.trusted.forEach((t, j) => out.push(...checkBlock(ctx, joinPointer('', 'gateway', 'listen', i, 'proxyProtocol', 'trusted', j), t).diagnostics));
  });
  if (gateway.admin) out.push(...checkPlainIp(ctx, '/gateway/admin/address', gateway.admin.address));
  const blocks: Located[] = [];
  ctx.data.upstreams.forEach((u, i) => {
    u.addresses.forEach((a, j) => {
      const pointer = joinPointer('', 'upstreams', i, 'addresses', j);
      const checked = checkBlock(ctx, pointer, a);
      out.push(...checked.diagnostics);
      if (checked.block) blocks.push({ block: checked.block, upstream: i, pointer });
    });
  });
  return [...out, ...checkOverlaps(ctx, blocks)];
}

function checkPlainIp(ctx: TopologyContext, pointer: string, text: string): Diagnostic[] {
  if (parseIp(text)) return [];
  return [report(ctx, pointer, { code: 'RG_CFG_ADDRESS', message: `${JSON.stringify(text)} is not an IPv4 or IPv6 address`, hint: 'listen on an address such as 127.0.0.1, ::1, 0.0.0.0 (all IPv4) or :: (all)' })];
}

function checkBlock(ctx: TopologyContext, pointer: string, text: string): { diagnostics: Diagnostic[]; block?: AddressBlock } {
  const parsed = parseAddressBlock(text);
  if (!parsed.ok) {
    return { diagnostics: [report(ctx, pointer, { code: 'RG_CFG_ADDRESS', message: `${JSON.stringify(text)} is not an address or CIDR block: ${parsed.reason}`, hint: 'write an address (192.0.2.10, 2001:db8::1) or a block (192.0.2.0/24, 2001:db8::/32)' })] };
  }
  if (!parsed.hostBitsSet) return { diagnostics: [], block: parsed.block };
  const warning = report(ctx, pointer, {
    code: 'RG_CFG_ADDRESS_HOST_BITS',
    severity: 'warning',
    message: `${JSON.stringify(text)} has host bits set; it means the block ${parsed.block.text}`,
    hint: `write ${parsed.block.text}, or /${parsed.block.family === 4 ? 32 : 128} for a single host`,
  });
  return { diagnostics: [warning], block: parsed.block };
}

/** Sort by start and sweep, keeping the block that reaches furthest: O(n log n), one finding per overlapping block. */
function checkOverlaps(ctx: TopologyContext, blocks: readonly Located[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const family of [4, 6] as const) {
    const sorted = blocks.filter((b) => b.block.family === family).sort((a, b) => (a.block.start < b.block.start ? -1 : a.block.start > b.block.start ? 1 : a.block.end > b.block.end ? -1 : 1));
    let reach: Located | undefined;
    for (const current of sorted) {
      if (reach && current.block.start <= reach.block.end) out.push(overlapDiagnostic(ctx, reach, current));
      if (!reach || current.block.end > reach.block.end) reach = current;
    }
  }
  return out;
}

function overlapDiagnostic(ctx: TopologyContext, a: Located, b: Located): Diagnostic {
  const [first, later] = a.pointer.localeCompare(b.pointer, undefined, { numeric: true }) <= 0 ? [a, b] : [b, a];
  const firstName = ctx.data.upstreams[first.upstream]?.name ?? '?';
  const laterName = ctx.data.upstreams[later.upstream]?.name ?? '?';
  if (first.upstream === later.upstream) {
    return report(ctx, later.pointer, {
      code: 'RG_CFG_ADDRESS_OVERLAP',
      severity: 'warning',
      message: `${later.block.text} overlaps ${first.block.text} (${displayPath(first.pointer)}) of the same upstream ${JSON.stringify(laterName)}`,
      hint: 'remove the redundant entry',
    });
  }
  return report(ctx, later.pointer, {
    code: 'RG_CFG_ADDRESS_OVERLAP',
    message: `upstream ${JSON.stringify(laterName)} address ${later.block.text} overlaps ${first.block.text} of upstream ${JSON.stringify(firstName)} (${displayPath(first.pointer)})`,
    hint: 'a connecting address must identify exactly one upstream; narrow or split the blocks',
  });
}

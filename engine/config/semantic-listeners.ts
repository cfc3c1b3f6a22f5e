// Sockets that cannot both be bound, and reflect targets that are the gateway itself (a mail loop).
import { blockContains, isUnspecified, parseAddressBlock, parseIp } from './address-block.js';
import type { Diagnostic } from './diagnostic.js';
import type { ReceiverEntry, UpstreamEntry } from './generated/topology.js';
import { displayPath, joinPointer } from './pointer.js';
import { report } from './topology-context.js';
import type { TopologyContext } from './topology-context.js';

interface Binding {
  readonly address: string;
  readonly port: number;
  readonly pointer: string;
  readonly what: string;
}

function collide(a: Binding, b: Binding): boolean {
  return a.port === b.port && (a.address === b.address || isUnspecified(a.address) || isUnspecified(b.address));
}

export function checkListeners(ctx: TopologyContext): Diagnostic[] {
  const { gateway } = ctx.data;
  const bindings: Binding[] = gateway.listen.map((l, i) => ({ address: l.address, port: l.port, pointer: joinPointer('', 'gateway', 'listen', i), what: 'SMTP listener' }));
  if (gateway.admin) bindings.push({ address: gateway.admin.address, port: gateway.admin.port, pointer: '/gateway/admin', what: 'admin listener' });
  const out: Diagnostic[] = [];
  bindings.forEach((b, i) => {
    const clash = bindings.slice(0, i).find((earlier) => collide(earlier, b));
    if (!clash) return;
    out.push(
      report(ctx, `${b.pointer}/port`, {
        code: 'RG_CFG_PORT_CONFLICT',
        message: `${b.what} ${b.address}:${b.port} uses the same port as the ${clash.what} ${clash.address}:${clash.port} (${displayPath(clash.pointer)})`,
        hint: 'each listener needs its own address and port',
      }),
    );
  });
  ctx.data.upstreams.forEach((u, i) => out.push(...checkReflectLoop(ctx, u, i)));
  (ctx.data.receivers ?? []).forEach((r, i) => out.push(...checkReceiverLoop(ctx, r, i)));
  return out;
}

function checkReceiverLoop(ctx: TopologyContext, receiver: ReceiverEntry, index: number): Diagnostic[] {
  // An mx receiver's hosts are only known at delivery time.
  const host = receiver.host;
  if (host === undefined) return [];
  const listenerIndex = ctx.data.gateway.listen.findIndex((l) => l.port === (receiver.port ?? 25) && targetHitsListener(host, l.address));
  const listener = ctx.data.gateway.listen[listenerIndex];
  if (!listener) return [];
  return [
    report(ctx, joinPointer('', 'receivers', index, 'port'), {
      code: 'RG_CFG_RECEIVER_LOOP',
      message: `receiver ${JSON.stringify(receiver.name)} (${receiver.host}:${receiver.port}) is the gateway's own listener ${listener.address}:${listener.port} (gateway.listen[${listenerIndex}]): mail would loop through the gateway`,
      hint: 'point the receiver at the next-hop MTA, not at the gateway',
    }),
  ];
}

function checkReflectLoop(ctx: TopologyContext, upstream: UpstreamEntry, index: number): Diagnostic[] {
  const reflect = upstream.mode === 'reflect' ? upstream.reflect : undefined;
  if (!reflect) return [];
  const targets = reflect.host !== undefined ? [reflect.host] : upstream.addresses;
  const listenerIndex = ctx.data.gateway.listen.findIndex((l) => l.port === reflect.port && targets.some((t) => targetHitsListener(t, l.address)));
  const listener = ctx.data.gateway.listen[listenerIndex];
  if (!listener) return [];
  const target = reflect.host ?? `the upstream's own address (${upstream.addresses.join(', ')})`;
  return [
    report(ctx, joinPointer('', 'upstreams', index, 'reflect', 'port'), {
      code: 'RG_CFG_REFLECT_LOOP',
      message: `upstream ${JSON.stringify(upstream.name)} reflects to port ${reflect.port} of ${target}, which is the gateway's own listener ${listener.address}:${listener.port} (gateway.listen[${listenerIndex}]): mail would loop through the gateway`,
      hint: 'point reflect.port at the MTA\'s re-injection listener (e.g. Postfix\'s 10026), not at the gateway',
    }),
  ];
}

/** Does a connection to `target` (an address, block or host name) reach a listener bound to `listenAddress`? */
function targetHitsListener(target: string, listenAddress: string): boolean {
  if (target === 'localhost') return isUnspecified(listenAddress) || isLoopbackAddress(listenAddress);
  const parsed = parseAddressBlock(target);
  if (!parsed.ok) return false;
  if (isUnspecified(listenAddress)) {
    const loopback = parsed.block.family === 4 ? 0x7f000001n : 1n;
    return blockContains(parsed.block, parsed.block.family, loopback) || (parsed.block.family === 4 && parsed.block.start >> 24n === 127n);
  }
  const ip = parseIp(listenAddress);
  return ip !== undefined && blockContains(parsed.block, ip.family, ip.value);
}

function isLoopbackAddress(address: string): boolean {
  const ip = parseIp(address);
  return ip !== undefined && (ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n);
}

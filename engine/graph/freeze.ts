// Deep-freezing the compiled graph. Plain objects and arrays are frozen; Maps are locked
// (set/delete/clear throw) and their values walked. Class instances with native internals
// (SecureContext, KeyObject, X509Certificate, Buffer, Date) are left alone: freezing them
// either throws (typed arrays) or protects nothing (internal slots).

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function refuse(): never {
  throw new TypeError('the routing graph is immutable');
}

function lockMap(map: Map<unknown, unknown>): void {
  // Someone else sealed it already; defining properties would throw.
  if (!Object.isExtensible(map)) return;
  for (const method of ['set', 'delete', 'clear'] as const) {
    Object.defineProperty(map, method, { value: refuse, writable: false, configurable: false });
  }
  Object.freeze(map);
}

/** Freezes `value` and everything plain reachable from it. A Set (not a WeakSet) tracks visits: it is several times faster here, and lives only for this call. */
export function deepFreeze<T>(value: T, seen: Set<object> = new Set()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  if (value instanceof Map) {
    for (const [key, entry] of value) {
      deepFreeze(key, seen);
      deepFreeze(entry, seen);
    }
    lockMap(value);
    return value;
  }
  if (Array.isArray(value)) {
    Object.freeze(value);
    for (const item of value) deepFreeze(item, seen);
    return value;
  }
  if (!isPlainObject(value)) return value;
  Object.freeze(value);
  for (const key in value) deepFreeze((value as Record<string, unknown>)[key], seen);
  return value;
}

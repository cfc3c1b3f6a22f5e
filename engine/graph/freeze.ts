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
  for (const method of ['set', 'delete', 'clear'] as const) {
    Object.defineProperty(map, method, { value: refuse, writable: false, configurable: false });
  }
  Object.freeze(map);
}

export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
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
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  }
  return Object.freeze(value);
}

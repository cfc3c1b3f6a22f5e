// Polling for a condition that real sockets and processes reach in their own time: one copy instead
// of a hand-written loop in every test file. A timeout names what was awaited (and the last value).

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Probes until `ok` holds and returns that value; the error shows the last one seen. */
export async function eventuallyValue<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 5_000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

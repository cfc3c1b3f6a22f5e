// Session and transaction ids: a random per-process prefix plus a counter — unique across restarts
// without paying for randomBytes on every connection and message.
import { randomBytes } from 'node:crypto';

const PREFIX = randomBytes(6).toString('base64url');
let counter = 0;

export function nextId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PREFIX}${counter.toString(36).padStart(6, '0')}`;
}

// The EDM secret: a file of at least 32 random bytes (`relayguard edm keygen`). Three keys are derived
// from it, each for one purpose, and only a fingerprint (an HMAC of a fixed label) is ever written.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { halfSipKey, type HalfSipKey } from './half-siphash.js';
import { sipKey, type SipKey } from './sip-hash.js';

export const MIN_KEY_BYTES = 32;
export const KEY_BYTES = 32;

export interface EdmKeys {
  /** SipHash-2-4 key of the index entries (format 2). */
  readonly entries: SipKey;
  /** HalfSipHash key of the prefilter. */
  readonly filter: HalfSipKey;
  /** 16 bytes, hex: tells whether an index was built with this key. */
  readonly fingerprint: string;
}

export type EdmError = { readonly code: string; readonly message: string; readonly hint?: string };
export type KeyResult = { readonly ok: true; readonly keys: EdmKeys } | { readonly ok: false; readonly error: EdmError };

function derive(secret: Uint8Array, label: string): Buffer {
  return createHmac('sha256', secret).update(`relayguard-edm/v1/${label}`).digest();
}

export function deriveKeys(secret: Uint8Array): EdmKeys {
  return Object.freeze({
    // a label of its own: format 1 used the 'entries' key with HMAC-SHA-256, a key serves one function
    entries: sipKey(derive(secret, 'entries-siphash')),
    filter: halfSipKey(derive(secret, 'prefilter')),
    fingerprint: derive(secret, 'fingerprint').subarray(0, 16).toString('hex'),
  });
}

/** The bytes of the file are the key, as they are (a hex file with its newline works too, as long as it stays the same). */
export function readEdmKey(path: string, shown: string = path): KeyResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      ok: false,
      error: {
        code: 'RG_EDM_KEY_MISSING',
        message: missing ? `EDM key file ${shown} does not exist` : `EDM key file ${shown} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        hint: 'create one with: relayguard edm keygen --out FILE (keep it secret, mode 0600)',
      },
    };
  }
  if (bytes.length < MIN_KEY_BYTES) {
    return {
      ok: false,
      error: { code: 'RG_EDM_KEY_SHORT', message: `EDM key file ${shown} holds ${bytes.length} bytes; at least ${MIN_KEY_BYTES} are needed`, hint: 'create one with: relayguard edm keygen --out FILE' },
    };
  }
  return { ok: true, keys: deriveKeys(bytes) };
}

/** A new random key, mode 0600; refuses to replace an existing file (that would orphan every index built with it). */
export function writeNewKey(path: string): void {
  writeFileSync(path, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
}

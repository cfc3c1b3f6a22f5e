// Cryptocurrency wallet addresses: Bitcoin (Base58Check, bech32, bech32m) and Ethereum (EIP-55).
import { createHash } from 'node:crypto';
import { keccak256 } from './keccak.js';
import { regexIdentifier, word } from './identifier.js';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58 → bytes (leading '1's are zero bytes), undefined on a foreign character. */
export function base58Decode(s: string): Uint8Array | undefined {
  const bytes: number[] = [];
  for (const ch of s) {
    let carry = B58.indexOf(ch);
    if (carry < 0) return undefined;
    for (let i = 0; i < bytes.length; i++) {
      carry += (bytes[i] ?? 0) * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (let i = 0; i < s.length && s[i] === '1'; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** Base58Check (Bitcoin wiki "Base58Check encoding"): version byte 0x00 (P2PKH) or 0x05 (P2SH), 20-byte hash, 4-byte double-SHA-256 checksum. */
export function base58CheckValid(s: string): boolean {
  const raw = base58Decode(s);
  if (raw === undefined || raw.length !== 25 || (raw[0] !== 0x00 && raw[0] !== 0x05)) return false;
  const check = sha256(sha256(raw.subarray(0, 21)));
  return check.subarray(0, 4).equals(raw.subarray(21));
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i] ?? 0;
  }
  return chk >>> 0;
}

/** BIP-173 (bech32, witness v0) and BIP-350 (bech32m, v1-16) segwit addresses on mainnet (hrp bc). */
export function segwitValid(address: string): boolean {
  const s = address.toLowerCase();
  if (s !== address && s.toUpperCase() !== address) return false;
  const sep = s.lastIndexOf('1');
  const hrp = s.slice(0, sep);
  if (hrp !== 'bc' || s.length > 90) return false;
  const data: number[] = [];
  for (const ch of s.slice(sep + 1)) {
    const v = BECH32.indexOf(ch);
    if (v < 0) return false;
    data.push(v);
  }
  if (data.length < 7) return false;
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
  const version = data[0] ?? -1;
  const constant = version === 0 ? 1 : 0x2bc830a3;
  if (version > 16 || polymod([...expanded, ...data]) !== constant) return false;
  const programBits = (data.length - 7) * 5;
  const programBytes = Math.floor(programBits / 8);
  if (programBits % 8 > 4) return false;
  if (programBytes < 2 || programBytes > 40) return false;
  return version !== 0 || programBytes === 20 || programBytes === 32;
}

export const bitcoinAddress = regexIdentifier({
  name: 'bitcoin-address',
  description: 'Bitcoin address: Base58Check P2PKH/P2SH (1…, 3…) or bech32/bech32m segwit (bc1…), checksum verified.',
  sets: ['crypto', 'financial'],
  checksum: true,
  pattern: word('[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{8,87}|BC1[02-9AC-HJ-NP-Z]{8,87}'),
  validate: (m) => ((m[0].startsWith('b') || m[0].startsWith('B') ? segwitValid(m[0]) : base58CheckValid(m[0])) ? 'high' : undefined),
  keywords: ['bitcoin', 'btc', 'wallet', 'address', 'send to'],
  sample: (v) => v.slice(0, 4) + '*'.repeat(v.length - 8) + v.slice(-4),
  levels: ['high'],
  example: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
  spec: 'Bitcoin Base58Check encoding; BIP-173 (bech32); BIP-350 (bech32m)',
});

/** EIP-55: hex letter i is upper case when nibble i of keccak256(lower-case address) is ≥ 8. */
export function eip55Valid(hex40: string): boolean {
  const lower = hex40.toLowerCase();
  const hash = keccak256(new TextEncoder().encode(lower));
  for (let i = 0; i < 40; i++) {
    const c = hex40[i] ?? '';
    if (c >= '0' && c <= '9') continue;
    const nibble = ((hash[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    if ((nibble >= 8) !== (c >= 'A' && c <= 'F')) return false;
  }
  return true;
}

export const ethereumAddress = regexIdentifier({
  name: 'ethereum-address',
  description: 'Ethereum address: 0x and 40 hex digits; a mixed-case address must carry a valid EIP-55 checksum.',
  sets: ['crypto', 'financial'],
  checksum: true,
  pattern: word('0x([0-9a-fA-F]{40})'),
  validate: (m) => {
    const hex = m[1] ?? '';
    if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return 'medium';
    return eip55Valid(hex) ? 'high' : undefined;
  },
  keywords: ['ethereum', 'eth', 'wallet', 'address', 'erc20', 'metamask'],
  sample: (v) => v.slice(0, 6) + '*'.repeat(v.length - 10) + v.slice(-4),
  levels: ['medium', 'high'],
  example: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  spec: 'Ethereum Yellow Paper (addresses); EIP-55 (mixed-case checksum, Keccak-256)',
});

export const CRYPTO_IDENTIFIERS = [bitcoinAddress, ethereumAddress];

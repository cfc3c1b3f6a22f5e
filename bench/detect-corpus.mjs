// Generated, labelled corpus for bench/detect.mjs: valid values of every catalogue identifier (built
// from their published structure and check digits, or sampled until the published check holds),
// invalid-checksum twins, and hard negatives that look like identifiers (order numbers, ISBNs,
// tracking and phone numbers, timestamps, hashes). Deterministic: one seeded PRNG.
import { createHash } from 'node:crypto';
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { iso7064Mod11_10, luhn, verhoeff } from '../dist/policy/detectors/identifiers/checksums.js';
import { abaValid } from '../dist/policy/detectors/identifiers/banking.js';
import { nhsValid } from '../dist/policy/detectors/identifiers/uk.js';
import { nifLetter } from '../dist/policy/detectors/identifiers/es.js';
import { fiscalCodeValid } from '../dist/policy/detectors/identifiers/it.js';
import { peselValid } from '../dist/policy/detectors/identifiers/pl.js';
import { hetuValid } from '../dist/policy/detectors/identifiers/fi.js';
import { personnummerValid } from '../dist/policy/detectors/identifiers/se.js';
import { steuerIdValid } from '../dist/policy/detectors/identifiers/de.js';
import { tcknValid } from '../dist/policy/detectors/identifiers/tr.js';
import { abnValid, acnValid, medicareValid, tfnValid } from '../dist/policy/detectors/identifiers/au.js';
import { aadhaarValid, gstinCheck } from '../dist/policy/detectors/identifiers/in.js';
import { nricCheck, uenValid } from '../dist/policy/detectors/identifiers/sg.js';
import { rrnChecksum } from '../dist/policy/detectors/identifiers/kr.js';
import { thIdValid } from '../dist/policy/detectors/identifiers/th.js';
import { ibanValid } from '../dist/policy/detectors/iban.js';
import { keccak256 } from '../dist/policy/detectors/identifiers/keccak.js';
import { base58CheckValid, segwitValid } from '../dist/policy/detectors/identifiers/crypto.js';

let seed = 0x5eed1d;
export const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
export const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
export const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const chars = (alphabet, n) => Array.from({ length: n }, () => pick(alphabet)).join('');
const D = '0123456789';
const U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const AN = `${U}abcdefghijklmnopqrstuvwxyz${D}`;
const digits = (n) => chars(D, n);
const pad = (n, w) => String(n).padStart(w, '0');
const until = (make, ok) => {
  for (;;) {
    const v = make();
    if (ok(v)) return v;
  }
};
/** A twin with one character changed that fails the check (the classic typo the check digit exists for). */
const twin = (v, ok, alphabet = D) =>
  until(
    () => {
      const positions = [...v].map((c, i) => (alphabet.includes(c) ? i : -1)).filter((i) => i >= 0);
      const i = pick(positions);
      return v.slice(0, i) + pick(alphabet.replace(v[i], '')) + v.slice(i + 1);
    },
    (x) => !ok(x),
  );
const group = (v, sizes, sep) => {
  const out = [];
  let i = 0;
  for (const s of sizes) out.push(v.slice(i, (i += s)));
  return out.join(sep);
};
const date = () => {
  const y = int(1930, 2015);
  const m = int(1, 12);
  return { y, m, d: int(1, new Date(Date.UTC(y, m, 0)).getUTCDate()) };
};
const luhnComplete = (body) => body + D.split('').find((c) => luhn(body + c));
const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
const randomBytes = (n) => Uint8Array.from({ length: n }, () => int(0, 255));

// Base58Check and bech32 encoders, written from the Bitcoin wiki and BIP-173 (the catalogue only decodes).
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes) {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  let s = '';
  while (n > 0n) {
    s = B58[Number(n % 58n)] + s;
    n /= 58n;
  }
  for (const b of bytes) if (b === 0) s = `1${s}`;
    else break;
  return s;
}
const sha256 = (b) => createHash('sha256').update(b).digest();
function p2pkh(version) {
  const payload = Buffer.concat([Buffer.from([version]), randomBytes(20)]);
  return base58(Buffer.concat([payload, sha256(sha256(payload)).subarray(0, 4)]));
}
const BECH = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
function polymod(values) {
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i];
  }
  return chk >>> 0;
}
function segwit(version, program) {
  const data = [version];
  let acc = 0;
  let bits = 0;
  for (const b of program) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) data.push((acc >>> (bits -= 5)) & 31);
  }
  if (bits > 0) data.push((acc << (5 - bits)) & 31);
  const hrp = [3, 3, 0, 2, 3]; // 'bc' expanded: high bits 3,3; 0; low bits 2,3
  const mod = polymod([...hrp, ...data, 0, 0, 0, 0, 0, 0]) ^ (version === 0 ? 1 : 0x2bc830a3);
  const check = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `bc1${[...data, ...check].map((v) => BECH[v]).join('')}`;
}
function eip55(hex) {
  const h = keccak256(new TextEncoder().encode(hex));
  return [...hex].map((c, i) => (/[a-f]/.test(c) && ((h[i >> 1] >> (i % 2 ? 0 : 4)) & 15) >= 8 ? c.toUpperCase() : c)).join('');
}

const IBAN_BBAN = { DE: () => digits(18), FR: () => digits(10) + chars(U + D, 11) + digits(2), NL: () => chars(U, 4) + digits(10), GB: () => chars(U, 4) + digits(14), ES: () => digits(20), IT: () => pick(U) + digits(10) + digits(12), FI: () => digits(14), PL: () => digits(24), SE: () => digits(20), CH: () => digits(17) };
function iban() {
  const cc = pick(Object.keys(IBAN_BBAN));
  const bban = IBAN_BBAN[cc]();
  const num = [...`${bban}${cc}00`].map((c) => (c <= '9' ? c : String(c.charCodeAt(0) - 55))).join('');
  let rem = 0;
  for (const c of num) rem = (rem * 10 + Number(c)) % 97;
  return `${cc}${pad(98 - rem, 2)}${bban}`;
}
const COUNTRIES = getCountries();
function phone() {
  return until(
    () => {
      const ex = getExampleNumber(pick(COUNTRIES), examples);
      if (ex === undefined) return undefined;
      const n = ex.nationalNumber;
      const k = Math.min(3, n.length - 3);
      return parsePhoneNumberFromString(`+${ex.countryCallingCode}${n.slice(0, n.length - k)}${digits(k)}`);
    },
    (p) => p?.isValid() === true,
  ).formatInternational();
}

/**
 * Per identifier: make() → a valid value as printed; bad(v) → an invalid-checksum twin (checksum
 * identifiers only); kw → the words a writer puts beside it.
 */
export const SPECS = {
  'credit-card': { make: () => { const p = pick(['4', '51', '52', '55', '2221', '6011']); return group(luhnComplete(p + digits(15 - p.length)), [4, 4, 4, 4], pick([' ', '-', ''])); }, bad: (v) => twin(v, (x) => luhn(x.replace(/\D/g, ''))), kw: 'card number' },
  iban: { make: () => { const v = iban(); return rnd() < 0.6 ? v.replace(/(.{4})/g, '$1 ').trim() : v; }, bad: (v) => twin(v, (x) => ibanValid(x.replace(/ /g, ''))), kw: 'IBAN' },
  'aba-routing': { make: () => until(() => pad(pick([int(1, 12), int(21, 32), int(61, 72)]), 2) + digits(7), abaValid), bad: (v) => twin(v, abaValid), kw: 'routing number' },
  'swift-bic': { make: () => chars(U, 4) + pick(['DE', 'FR', 'GB', 'US', 'CH', 'IT', 'NL', 'SG', 'JP']) + pick(U) + pick('ABCDEFGHJKLMN2') + (rnd() < 0.5 ? chars(U + D, 3) : ''), kw: 'SWIFT/BIC' },
  'us-bank-account': { make: () => digits(int(8, 14)), kw: 'account number' },
  'us-ssn': { make: () => group(pad(until(() => int(1, 899), (a) => a !== 666), 3) + pad(int(1, 99), 2) + pad(int(1, 9999), 4), [3, 2, 4], pick(['-', '-', ' '])), kw: 'SSN' },
  'us-itin': { make: () => group(`9${digits(2)}${pad(pick([int(50, 65), int(70, 88), int(90, 92), int(94, 99)]), 2)}${digits(4)}`, [3, 2, 4], '-'), kw: 'ITIN' },
  'us-passport': { make: () => (rnd() < 0.5 ? digits(9) : pick(U) + digits(8)), kw: 'passport number' },
  'ca-sin': { make: () => group(luhnComplete(pick('12345679') + digits(7)), [3, 3, 3], pick([' ', '-'])), bad: (v) => twin(v, (x) => luhn(x.replace(/\D/g, ''))), kw: 'SIN' },
  'uk-nhs': { make: () => group(until(() => digits(10), nhsValid), [3, 3, 4], pick([' ', '-', ''])), bad: (v) => twin(v, (x) => nhsValid(x.replace(/\D/g, ''))), kw: 'NHS number' },
  'uk-nino': { make: () => `${pick('ABCEGHJKLMNPRSTWXYZ')}${pick('ABCEGHJKLMNPRSTWXYZ')}${digits(6)}${pick('ABCD')}`.replace(/^(BG|GB|KN|NK|NT|TN|ZZ)/, 'AB'), kw: 'National Insurance number' },
  'es-nif': { make: () => { const n = digits(8); return n + nifLetter(Number(n)); }, bad: (v) => twin(v, (x) => nifLetter(Number(x.slice(0, 8))) === x[8]), kw: 'DNI' },
  'es-nie': { make: () => { const p = pick('XYZ'); const n = digits(7); return p + n + nifLetter(Number('XYZ'.indexOf(p) + n)); }, bad: (v) => twin(v, (x) => nifLetter(Number('XYZ'.indexOf(x[0]) + x.slice(1, 8))) === x[8]), kw: 'NIE' },
  'it-fiscal-code': { make: () => until(() => chars(U, 6) + digits(2) + pick('ABCDEHLMPRST') + pad(int(1, 71), 2) + pick(U) + digits(3) + pick(U), fiscalCodeValid), bad: (v) => twin(v, fiscalCodeValid), kw: 'codice fiscale' },
  'it-vat': { make: () => luhnComplete(digits(7) + pad(int(1, 100), 3)), bad: (v) => twin(v, luhn), kw: 'partita IVA' },
  'pl-pesel': { make: () => until(() => { const { y, m, d } = date(); return pad(y % 100, 2) + pad(m + (y >= 2000 ? 20 : 0), 2) + pad(d, 2) + digits(5); }, peselValid), bad: (v) => twin(v, peselValid), kw: 'PESEL' },
  'fi-hetu': { make: () => until(() => { const { y, m, d } = date(); return pad(d, 2) + pad(m, 2) + pad(y % 100, 2) + (y >= 2000 ? pick('ABCDEF') : pick('-YXWVU')) + pad(int(2, 899), 3) + pick('0123456789ABCDEFHJKLMNPRSTUVWXY'); }, hetuValid), bad: (v) => twin(v, hetuValid), kw: 'henkilötunnus' },
  'se-personnummer': { make: () => { const { y, m, d } = date(); const ten = luhnComplete(pad(y % 100, 2) + pad(m, 2) + pad(d, 2) + digits(3)); return rnd() < 0.3 ? `${Math.floor(y / 100)}${ten.slice(0, 6)}-${ten.slice(6)}` : `${ten.slice(0, 6)}-${ten.slice(6)}`; }, bad: (v) => twin(v, (x) => { const t = x.replace(/\D/g, '').slice(-10); return personnummerValid(t, undefined); }), kw: 'personnummer' },
  'de-tax-id': { make: () => until(() => { const p = [...D].sort(() => rnd() - 0.5); p[int(1, 9)] = p[int(0, 9)]; const ten = p.join(''); return ten + iso7064Mod11_10(ten); }, steuerIdValid), bad: (v) => twin(v, steuerIdValid), kw: 'Steuer-ID' },
  'de-vat': { make: () => { const e = pick('123456789') + digits(7); return `DE${e}${iso7064Mod11_10(e)}`; }, bad: (v) => twin(v, (x) => iso7064Mod11_10(x.slice(2, 10)) === Number(x[10])), kw: 'USt-IdNr.' },
  'tr-tckn': { make: () => until(() => pick('123456789') + digits(10), tcknValid), bad: (v) => twin(v, tcknValid), kw: 'TC Kimlik No' },
  'au-abn': { make: () => group(until(() => pick('123456789') + digits(10), abnValid), [2, 3, 3, 3], ' '), bad: (v) => twin(v, (x) => abnValid(x.replace(/ /g, ''))), kw: 'ABN' },
  'au-acn': { make: () => group(until(() => digits(9), acnValid), [3, 3, 3], ' '), bad: (v) => twin(v, (x) => acnValid(x.replace(/ /g, ''))), kw: 'ACN' },
  'au-tfn': { make: () => group(until(() => digits(9), tfnValid), [3, 3, 3], ' '), bad: (v) => twin(v, (x) => tfnValid(x.replace(/ /g, ''))), kw: 'TFN' },
  'au-medicare': { make: () => group(until(() => pick('23456') + digits(9), medicareValid), [4, 5, 1], ' '), bad: (v) => twin(v, (x) => medicareValid(x.replace(/ /g, ''))), kw: 'Medicare number' },
  'in-pan': { make: () => chars(U, 3) + pick('ABCFGHJLPT') + pick(U) + digits(4) + pick(U), kw: 'PAN' },
  'in-aadhaar': { make: () => group(until(() => pick('23456789') + digits(11), aadhaarValid), [4, 4, 4], pick([' ', '-'])), bad: (v) => twin(v, (x) => aadhaarValid(x.replace(/\D/g, ''))), kw: 'Aadhaar' },
  'in-gstin': { make: () => { const f = pad(int(1, 37), 2) + chars(U, 3) + pick('ABCFGHJLPT') + pick(U) + digits(4) + pick(U) + pick('123456789') + 'Z'; return f + gstinCheck(f); }, bad: (v) => twin(v, (x) => gstinCheck(x.slice(0, 14)) === x[14]), kw: 'GSTIN' },
  'sg-nric-fin': { make: () => { const p = pick('STFGM'); const n = digits(7); return p + n + nricCheck(p, n); }, bad: (v) => twin(v, (x) => nricCheck(x[0], x.slice(1, 8)) === x[8]), kw: 'NRIC' },
  'sg-uen': { make: () => until(() => (rnd() < 0.5 ? digits(8) : `${int(1970, 2024)}${digits(5)}`) + pick(U), uenValid), bad: (v) => twin(v, uenValid), kw: 'UEN' },
  'kr-rrn': { make: () => until(() => { const { y, m, d } = date(); return `${pad(y % 100, 2)}${pad(m, 2)}${pad(d, 2)}-${y >= 2000 ? pick('34') : pick('12')}${digits(6)}`; }, (x) => rrnChecksum(x.replace('-', ''))), bad: (v) => twin(v, (x) => rrnChecksum(x.replace('-', ''))), kw: '주민등록번호' },
  'th-tnin': { make: () => group(until(() => pick('12345678') + digits(12), thIdValid), [1, 4, 5, 2, 1], '-'), bad: (v) => twin(v, (x) => thIdValid(x.replace(/\D/g, ''))), kw: 'เลขประจำตัวประชาชน' },
  'ng-nin': { make: () => until(() => digits(11), verhoeff), bad: (v) => twin(v, verhoeff), kw: 'NIN' },
  email: { make: () => `${pick(['jane', 'j.smith', 'ops', 'li.wei', 'mario+dlp'])}${int(1, 999)}@${pick(['example.com', 'corp.example', 'mail.example.org', 'example.co.uk'])}`, kw: 'e-mail' },
  ipv4: { make: () => [int(1, 223), int(0, 255), int(0, 255), int(1, 254)].join('.'), kw: 'IP address' },
  ipv6: { make: () => { const g = Array.from({ length: 8 }, () => int(0, 65535).toString(16)); return rnd() < 0.5 ? `2001:db8:${g.slice(0, 2).join(':')}::${g[7]}` : ['2001', 'db8', ...g.slice(2)].join(':'); }, kw: 'IPv6' },
  'mac-address': { make: () => Array.from({ length: 6 }, () => int(0, 255).toString(16).padStart(2, '0')).join(pick([':', '-'])), kw: 'MAC address' },
  'phone-number': { make: phone, kw: 'phone' },
  'bitcoin-address': { make: () => pick([() => p2pkh(0), () => p2pkh(5), () => segwit(0, randomBytes(20)), () => segwit(1, randomBytes(32))])(), bad: (v) => twin(v, (x) => (x.startsWith('bc1') ? segwitValid(x) : base58CheckValid(x)), v.startsWith('bc1') ? BECH : B58), kw: 'bitcoin' },
  'ethereum-address': { make: () => { const hex = Buffer.from(randomBytes(20)).toString('hex'); return `0x${rnd() < 0.5 ? eip55(hex) : hex}`; }, kw: 'ETH wallet' },
  'private-key': { make: () => `-----BEGIN ${pick(['RSA ', 'EC ', 'OPENSSH ', ''])}PRIVATE KEY-----\n${chars(AN, 64)}\n${chars(AN, 64)}\n-----END PRIVATE KEY-----`, kw: 'key' },
  'aws-access-key-id': { make: () => pick(['AKIA', 'ASIA']) + chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16), kw: 'aws_access_key_id' },
  'aws-secret-access-key': { make: () => chars(`${AN}/+`, 40), kw: 'aws_secret_access_key =' },
  'gcp-api-key': { make: () => `AIza${chars(`${AN}_-`, 35)}`, kw: 'api key' },
  'azure-storage-key': { make: () => `DefaultEndpointsProtocol=https;AccountName=corpdata;AccountKey=${chars(`${AN}+/`, 86)}==;EndpointSuffix=core.example.net`, kw: 'connection string' },
  'github-token': { make: () => `${pick(['ghp', 'gho', 'ghs'])}_${chars(AN, 36)}`, kw: 'token' },
  'gitlab-token': { make: () => `glpat-${chars(`${AN}_-`, 20)}`, kw: 'token' },
  'slack-token': { make: () => `xoxb-${digits(11)}-${digits(13)}-${chars(AN, 24)}`, kw: 'token' },
  'slack-webhook': { make: () => `https://hooks.example.com/services/T${chars(U + D, 8)}/B${chars(U + D, 10)}/${chars(AN, 24)}`, kw: 'webhook' },
  jwt: { make: () => `${b64(JSON.stringify({ alg: pick(['HS256', 'RS256']), typ: 'JWT' }))}.${b64(JSON.stringify({ sub: digits(8), iat: int(1.6e9, 1.8e9) }))}.${b64(randomBytes(32))}`, kw: 'Bearer' },
  'stripe-key': { make: () => `sk_live_${chars(AN, 24)}`, kw: 'Stripe key' },
  'npm-token': { make: () => `npm_${chars(AN, 36)}`, kw: '_authToken' },
  'sendgrid-api-key': { make: () => `SG.${chars(`${AN}_-`, 22)}.${chars(`${AN}_-`, 43)}`, kw: 'SENDGRID_API_KEY' },
  'password-in-url': { make: () => `${pick(['postgres', 'https', 'mysql', 'amqp'])}://${pick(['app', 'svc', 'bob'])}:${chars(AN, 12)}@${pick(['db', 'mq', 'git'])}.corp.example/${pick(['prod', 'repo', ''])}`, kw: 'DSN' },
};

const WITH_KEYWORD = [
  (kw, v) => `Hi team, my ${kw} is ${v} — please update the record.`,
  (kw, v) => `${kw}: ${v}`,
  (kw, v) => `Dear Sir or Madam,\n\nplease find the details below.\n\nName: Jane Doe\n${kw}: ${v}\nCity: Springfield\n\nKind regards`,
  (kw, v) => `name;${kw};date\nJane Doe;${v};2024-05-01`,
];
const WITHOUT_KEYWORD = [
  (v) => `Jane Doe, ${v}, Springfield`,
  (v) => `As discussed, here it is: ${v}\nThanks!`,
  (v) => `| Jane Doe | ${v} | active |`,
];

/** One document holding exactly one value; 70% written with a supporting word, like people do. */
export function positiveDoc(name) {
  const spec = SPECS[name];
  const value = spec.make();
  const withKeyword = rnd() < 0.7;
  return { value, withKeyword, text: withKeyword ? pick(WITH_KEYWORD)(spec.kw, value) : pick(WITHOUT_KEYWORD)(value) };
}

/** The same document with an invalid-checksum twin instead (checksum identifiers only). */
export function twinDoc(name) {
  const spec = SPECS[name];
  if (spec.bad === undefined) return undefined;
  const bad = spec.bad(spec.make());
  return { text: rnd() < 0.7 ? pick(WITH_KEYWORD)(spec.kw, bad) : pick(WITHOUT_KEYWORD)(bad) };
}

function isbn13() {
  const body = `978${digits(9)}`;
  const sum = [...body].reduce((s, c, i) => s + Number(c) * (i % 2 ? 3 : 1), 0);
  const d = body + ((10 - (sum % 10)) % 10);
  return `${d.slice(0, 3)}-${d[3]}-${d.slice(4, 7)}-${d.slice(7, 12)}-${d[12]}`;
}

/** Text that looks like identifiers and is none: what a DLP gateway sees all day. */
export const HARD_NEGATIVES = {
  'order number': () => `Your order number ${digits(int(6, 12))} has shipped.`,
  'invoice number': () => `Invoice INV-${int(2019, 2025)}-${digits(6)} is due on ${int(1, 28)}.${int(1, 12)}.`,
  ISBN: () => `ISBN ${isbn13()} (paperback)`,
  'UPS tracking': () => `Tracking: 1Z${chars(U + D, 6)}${digits(10)}`,
  'USPS tracking': () => `USPS tracking number 9400 ${digits(4)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(2)}`,
  'FedEx tracking': () => `FedEx ${digits(12)}`,
  'national phone': () => pick([`Call me on (${digits(3)}) ${digits(3)}-${digits(4)}`, `Tel. 0${digits(2)} ${digits(7)}`, `mobile 07${digits(3)} ${digits(6)}`]),
  'unix timestamp': () => `ts=${int(1.5e9, 1.9e9)} ms=${int(1.5e12, 1.9e12)}`,
  'ISO timestamp': () => `2024-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}T${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)}Z`,
  'amount': () => `Total: ${int(1, 999)},${digits(3)},${digits(3)}.${digits(2)} EUR`,
  'version string': () => `upgraded to ${int(1, 20)}.${int(0, 30)}.${int(0, 99)}.${int(0, 9999)}`,
  UUID: () => `request id ${[8, 4, 4, 4, 12].map((n) => chars('0123456789abcdef', n)).join('-')}`,
  'git SHA': () => `fixed in commit ${chars('0123456789abcdef', 40)}`,
  'SHA-256': () => `sha256:${chars('0123456789abcdef', 64)}`,
  'SKU': () => `SKU ${chars(U, 3)}-${digits(5)}-${chars(U, 2)}`,
  'IMEI': () => `IMEI ${luhnComplete(`35${digits(12)}`)}`,
  'random digits (invalid checksums)': () => `ref ${digits(pick([9, 10, 11, 12, 13, 16]))}`,
  'postal address': () => `${int(1, 999)} Main Street, Springfield ${digits(5)}`,
};

export function hardNegativeDocs(perKind) {
  return Object.entries(HARD_NEGATIVES).flatMap(([kind, make]) => Array.from({ length: perKind }, () => ({ kind, text: make() })));
}

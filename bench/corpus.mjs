// A generated mail corpus for replay tests and bench/replay.mjs: deterministic (seeded), mixed sizes, with and
// without attachments (text, base64 binary, zip), some with card numbers, SSNs or keywords; written as a
// directory of .eml files with sidecars, an mbox, or a Maildir.
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';

/** Small fast PRNG (mulberry32): the same seed gives the same corpus. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the quarterly report shows revenue growth across all regions please review attached figures before monday meeting thanks regards team project status update schedule'.split(' ');
const CARDS = ['4111 1111 1111 1111', '5555555555554444', '4012-8888-8888-1881'];

function words(rand, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return out.join(' ');
}

function lines(rand, bytes) {
  const out = [];
  let size = 0;
  while (size < bytes) {
    const l = words(rand, 8 + Math.floor(rand() * 6));
    out.push(l);
    size += l.length + 2;
  }
  return out.join('\r\n');
}

function base64Lines(buf) {
  return buf.toString('base64').replace(/.{1,76}/g, '$&\r\n').trimEnd();
}

/**
 * One message. `kind` picks what it carries; sizes: small (≤ 2 KB), medium (~20 KB), large (~200 KB), rare huge (~1.5 MB,
 * above the spool memory threshold, so it is inspected as a stream like serve would).
 */
export function makeMessage(i, rand) {
  const r = rand();
  const size = r < 0.6 ? 200 + Math.floor(rand() * 1800) : r < 0.9 ? 20_000 : r < 0.995 ? 200_000 : 1_500_000;
  const k = rand();
  const secret = k < 0.08 ? `card ${CARDS[i % CARDS.length]}` : k < 0.12 ? 'ssn 536-22-4187' : k < 0.16 ? 'this is confidential project falcon material' : '';
  const attach = rand();
  const sender = rand() < 0.8 ? `user${i % 97}@corp.example` : `partner${i % 13}@partner.example`;
  const rcpt = `rcpt${i % 31}@example.org`;
  const head = [
    `Return-Path: <${sender}>`,
    `Delivered-To: ${rcpt}`,
    `From: User ${i} <${sender}>`,
    `To: <${rcpt}>`,
    `Subject: message ${i} ${words(rand, 3)}`,
    `Message-ID: <gen-${i}@corp.example>`,
    'Date: Sun, 29 Nov 2026 05:00:00 +0000',
    'MIME-Version: 1.0',
  ];
  const bodyText = `${lines(rand, size)}\r\n${secret}\r\n`;
  if (attach < 0.6) return { raw: Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', '', bodyText].join('\r\n')), sender, rcpt };
  const parts = [['Content-Type: text/plain; charset=utf-8', '', lines(rand, 300)].join('\r\n')];
  if (attach < 0.8) {
    parts.push(['Content-Type: text/plain; name="notes.txt"', 'Content-Disposition: attachment; filename="notes.txt"', '', bodyText].join('\r\n'));
  } else if (attach < 0.92) {
    const bin = Buffer.alloc(Math.min(size, 100_000));
    for (let j = 0; j < bin.length; j++) bin[j] = Math.floor(rand() * 256);
    parts.push(['Content-Type: application/octet-stream; name="data.bin"', 'Content-Disposition: attachment; filename="data.bin"', 'Content-Transfer-Encoding: base64', '', base64Lines(bin)].join('\r\n'));
  } else {
    const zip = Buffer.from(zipSync({ 'report.txt': strToU8(bodyText) }));
    parts.push(['Content-Type: application/zip; name="report.zip"', 'Content-Disposition: attachment; filename="report.zip"', 'Content-Transfer-Encoding: base64', '', base64Lines(zip)].join('\r\n'));
  }
  const boundary = `b${i}x`;
  const body = [...parts.map((p) => `--${boundary}\r\n${p}`), `--${boundary}--`, ''].join('\r\n');
  return { raw: Buffer.from([...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', body].join('\r\n')), sender, rcpt };
}

export function* generateCorpus(n, seed = 1) {
  const rand = prng(seed);
  for (let i = 0; i < n; i++) yield { name: `m${String(i).padStart(6, '0')}`, ...makeMessage(i, rand) };
}

export function writeEmlDir(dir, messages, { sidecars = false } = {}) {
  mkdirSync(dir, { recursive: true });
  for (const m of messages) {
    writeFileSync(join(dir, `${m.name}.eml`), m.raw);
    if (sidecars && m.sidecar) writeFileSync(join(dir, `${m.name}.eml.json`), JSON.stringify(m.sidecar));
  }
}

export function writeMaildir(dir, messages) {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  let i = 0;
  for (const m of messages) writeFileSync(join(dir, i++ % 2 === 0 ? 'cur' : 'new', `${m.name}.host:2,S`), m.raw);
}

/** mboxrd: From_ line per message, body lines that start with ">*From " get one more ">", LF line endings. */
export async function writeMbox(file, messages) {
  const out = createWriteStream(file);
  for (const m of messages) {
    const text = m.raw.toString('latin1').replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1');
    const ok = out.write(`From ${m.sender} Sun Nov 29 05:00:00 2026\n${text}${text.endsWith('\n') ? '' : '\n'}\n`, 'latin1');
    if (!ok) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}

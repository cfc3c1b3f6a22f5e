// Load generators for the benchmark: Postfix's smtp-source when installed, and a Node generator
// (our own relay client) for what smtp-source cannot do (STARTTLS) or when it is missing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RelayConnection } from '../dist/smtp/relay/relay-client.js';

export const SMTP_SOURCE = ['/usr/sbin/smtp-source', '/usr/bin/smtp-source'].find((p) => existsSync(p));
export const SMTP_SINK = ['/usr/sbin/smtp-sink', '/usr/bin/smtp-sink'].find((p) => existsSync(p));

export function makeBody(bytes) {
  const header =
    'From: <bench@corp.example>\r\nTo: <rcpt@example.org>\r\nSubject: relayguard benchmark\r\n' +
    'Message-ID: <bench@corp.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n';
  const line = 'The quick brown fox jumps over the lazy dog, 0123456789 abcdefghij klmnopqrst.\r\n';
  let body = header;
  while (body.length < bytes) body += line;
  return Buffer.from(body.slice(0, bytes - 2) + '\r\n');
}

/** smtp-source: returns { seconds, messages }. reuse = one connection per session (-d). */
export function runSmtpSource({ port, messages, sessions, bytes, reuse }) {
  const args = ['-s', String(sessions), '-m', String(messages), '-l', String(bytes), '-f', 'bench@corp.example', '-t', 'rcpt@example.org'];
  if (reuse) args.push('-d');
  args.push(`127.0.0.1:${port}`);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(SMTP_SOURCE, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      const seconds = (performance.now() - start) / 1000;
      if (err) return reject(new Error(`smtp-source failed: ${err.message} ${stderr}`));
      const failures = `${stdout}${stderr}`.split('\n').filter((l) => /error|fatal/i.test(l));
      resolve({ seconds, messages, failures: failures.length });
    });
  });
}

function clientOptions(port, tls) {
  return {
    host: '127.0.0.1',
    port,
    ehloName: 'bench.example.test',
    timeouts: { connectMs: 10_000, greetingMs: 10_000, commandMs: 30_000, dataMs: 60_000, idleMs: 30_000 },
    tls: { starttls: tls ? 'required' : 'disabled', options: { rejectUnauthorized: false } },
  };
}

/**
 * Node generator: `sessions` workers send `messages` in total; records per-message latency
 * (MAIL → final reply; with fromConnect and reuse=false, connect → final reply). reuse=false opens a
 * new connection per message.
 */
export async function runNodeLoad({ port, messages, sessions, bytes, reuse, tls = false, fromConnect = false }) {
  const body = makeBody(bytes);
  const latencies = [];
  let next = 0;
  let failures = 0;
  const start = performance.now();
  async function worker() {
    let conn = null;
    while (next < messages) {
      next++;
      try {
        const tc = performance.now();
        if (!conn) conn = await RelayConnection.open(clientOptions(port, tls));
        const t0 = fromConnect ? tc : performance.now();
        const { mail, rcpts } = await conn.mailAndRcpts('bench@corp.example', [], ['rcpt@example.org']);
        if (mail.code !== 250 || rcpts[0]?.code !== 250) throw new Error(`refused: ${mail.code} ${rcpts[0]?.code}`);
        const final = await conn.data([body]);
        if (final.code !== 250) throw new Error(`DATA ${final.code}`);
        latencies.push(performance.now() - t0);
        if (!reuse) {
          await conn.quit();
          conn = null;
        }
      } catch {
        failures++;
        conn?.close();
        conn = null;
      }
    }
    if (conn) await conn.quit();
  }
  await Promise.all(Array.from({ length: sessions }, worker));
  return { seconds: (performance.now() - start) / 1000, messages, failures, latencies };
}

export { percentile } from './harness.mjs';

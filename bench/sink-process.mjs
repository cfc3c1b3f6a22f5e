#!/usr/bin/env node
// bench/fast-sink.mjs in a process of its own, so a benchmark can account its CPU apart from the load generator.
//   node bench/sink-process.mjs [--key FILE --cert FILE]     (with both: offers STARTTLS)
// Prints one JSON line {"port":N} when listening. Over IPC, answers "stats" with
// { messages, bytes, connections, tlsHandshakes, protocols, cpuMs } and exits on "close".
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { startFastSink } from './fast-sink.mjs';

const args = process.argv.slice(2);
const arg = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const keyFile = arg('--key');
const certFile = arg('--cert');
const tlsOptions = keyFile && certFile ? { key: readFileSync(keyFile), cert: readFileSync(certFile) } : undefined;

// fast-sink upgrades with `new tls.TLSSocket(socket, { isServer: true })`; a subclass counts the handshakes
// that complete, so the benchmark can show one handshake per message on the receiving leg.
const counts = { tlsHandshakes: 0, protocols: {} };
const Base = tls.TLSSocket;
tls.TLSSocket = class CountingTLSSocket extends Base {
  constructor(...a) {
    super(...a);
    this.once('secure', () => {
      counts.tlsHandshakes++;
      const p = `${this.getProtocol()} ${this.getCipher()?.name ?? ''}`.trim();
      counts.protocols[p] = (counts.protocols[p] ?? 0) + 1;
    });
  }
};

const sink = await startFastSink({ ...(tlsOptions ? { tlsOptions } : {}) });
process.stdout.write(`${JSON.stringify({ port: sink.port })}\n`);
process.on('message', async (msg) => {
  if (msg === 'stats') {
    const u = process.cpuUsage();
    process.send({ ...sink.stats, ...counts, protocols: { ...counts.protocols }, cpuMs: (u.user + u.system) / 1000 });
  } else if (msg === 'close') {
    await sink.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

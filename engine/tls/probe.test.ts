import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';
import { makeTestPki } from '../../test/helpers/pki.js';
import type { TestCert, TestPki } from '../../test/helpers/pki.js';
import { probePeer } from './probe.js';

let dir: string;
let pki: TestPki;
let mx: TestCert;
const servers: SMTPServer[] = [];

async function startSmtp(options: SMTPServerOptions): Promise<number> {
  const server = new SMTPServer({ logger: false, authOptional: true, disabledCommands: ['AUTH'], key: mx.keyPem, cert: mx.certPem + pki.ca.certPem, ...options });
  server.on('error', () => undefined); // clients that hang up mid-handshake are expected here
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-probe-'));
  pki = makeTestPki(dir);
  mx = pki.issue('mx', ['mx.example.test']);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  rmSync(dir, { recursive: true, force: true });
});

const base = { host: '127.0.0.1', timeoutMs: 5000, ehloName: 'gw.example.test' } as const;

describe('probePeer', () => {
  it('collects the chain over SMTP STARTTLS', async () => {
    const port = await startSmtp({ secure: false });
    const result = await probePeer({ ...base, port, starttls: true, servername: 'mx.example.test' });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.chain.map((c) => c.fingerprint256)).toEqual([mx.cert.fingerprint256, pki.ca.cert.fingerprint256]);
    expect(result.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(result.banner).toMatch(/^220 /);
  });

  it('collects the chain over implicit TLS', async () => {
    const port = await startSmtp({ secure: true });
    const result = await probePeer({ ...base, port, starttls: false });
    expect(result.ok ? result.chain[0]?.fingerprint256 : result.error.message).toBe(mx.cert.fingerprint256);
  });

  it('says when STARTTLS is not offered', async () => {
    const port = await startSmtp({ secure: false, hideSTARTTLS: true });
    const result = await probePeer({ ...base, port, starttls: true });
    expect(result.ok ? 'ok' : result.error.code).toBe('RG_PROBE_NO_STARTTLS');
  });

  it('suggests --starttls when a plain SMTP port is probed with implicit TLS', async () => {
    const port = await startSmtp({ secure: false });
    const result = await probePeer({ ...base, port, starttls: false });
    expect(result.ok ? undefined : result.error).toMatchObject({ code: 'RG_PROBE_TLS', hint: expect.stringContaining('--starttls') });
  });

  it('reports a refused connection', async () => {
    const result = await probePeer({ ...base, port: await freePort(), starttls: true });
    expect(result.ok ? 'ok' : result.error.code).toBe('RG_PROBE_REFUSED');
  });

  it('times out on a server that never greets', async () => {
    const held: Socket[] = [];
    const silent = createServer((s) => held.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const result = await probePeer({ ...base, port, starttls: true, timeoutMs: 300 });
      expect(result.ok ? 'ok' : result.error.code).toBe('RG_PROBE_TIMEOUT');
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

// Loop-header replay: a message that legitimately passed this gateway carries a valid
// X-Relayguard-Loop header. Resent unchanged — to other recipients, from another upstream, under a
// newer policy revision, too late, or with a forged/stale/guessable MAC — it must be inspected again
// (and blocked, since it carries a card number). Only the case the header exists for still skips:
// the same message, same envelope, same upstream, same policies, back within the max age (reflect).
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildGraph } from '../../engine/graph/build.js';
import { RawSmtpClient, makeHarnessDir, rawTransaction, startGateway } from '../helpers/gateway-harness.js';
import type { GatewayHarness, TopologyEnv } from '../helpers/gateway-harness.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import type { RecordingMta } from '../helpers/recording-mta.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const HOST = 'gw.example.test';
const CARD = '4111 1111 1111 1111';
const SECRET = 'loop-replay-secret-0123456789abcdef0123456789';
const BLOCK = '550 5.7.1 Blocked: card number';

const cardPolicy = (name: string, scope: Record<string, string[]>): PolicyFile['policies'][number] =>
  ({ name, severity: 'high', scope, match: { creditCardNumber: { min: 1 } }, action: { type: 'block', reply: BLOCK } }) as PolicyFile['policies'][number];

/** Cards may go to internal recipients from corp; never outside, never from the partner relay. */
const BASE: PolicyFile['policies'] = [cardPolicy('cards-outside', { recipients: ['*@external.example'] }), cardPolicy('cards-from-partner', { upstreams: ['partner'] })];

function topology(env: TopologyEnv, mx: RecordingMta, o: { mode: 'forward' | 'reflect'; secretFile: string; maxAgeSeconds?: number }): TopologyFile {
  const tlsOff = { starttls: 'disabled' as const, clientCertificate: 'none' as const, trust: [] };
  const reflect = o.mode === 'reflect' ? { reflect: { port: mx.port, tls: { starttls: 'disabled' as const } } } : {};
  return {
    version: 1,
    gateway: {
      hostname: HOST,
      listen: [{ address: '127.0.0.1', port: 10025 }],
      tls: { certificate: env.pki.gateway.certPath, key: env.pki.gateway.keyPath },
      spool: { dir: join(env.dir, 'spool') },
      incidents: { path: join(env.dir, 'incidents.jsonl') },
      loop: { secretFile: o.secretFile, ...(o.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: o.maxAgeSeconds }) },
    },
    upstreams: [
      { name: 'corp', addresses: ['127.0.0.1/32'], mode: o.mode, ...reflect, tls: tlsOff },
      { name: 'partner', addresses: ['127.0.0.2/32'], mode: o.mode, ...reflect, tls: tlsOff },
    ],
    ...(o.mode === 'forward'
      ? { receivers: [{ name: 'mx', host: '127.0.0.1', port: mx.port, tls: { starttls: 'disabled', trust: [], verifyHostname: false } }], routes: [{ domains: ['*'], receivers: ['mx'] }] }
      : {}),
  } as TopologyFile;
}

interface Setup {
  readonly mx: RecordingMta;
  readonly gw: GatewayHarness;
  readonly secretFile: string;
  send(from: string, to: readonly string[], body: string, localAddress?: string): Promise<string>;
}

async function setup(o: { mode?: 'forward' | 'reflect'; policies?: PolicyFile['policies']; maxAgeSeconds?: number; mx?: RecordingMta; secretFile?: string } = {}): Promise<Setup> {
  const mx = o.mx ?? (await startRecordingMta());
  if (o.mx === undefined) cleanups.push(() => mx.close());
  const env = makeHarnessDir();
  const secretFile = o.secretFile ?? join(env.dir, 'loop.secret');
  if (o.secretFile === undefined) writeFileSync(secretFile, SECRET);
  const policies = { dlp: { version: 1, policies: o.policies ?? BASE } as PolicyFile };
  const gw = await startGateway({ topology: (e) => topology(e, mx, { mode: o.mode ?? 'forward', secretFile, ...(o.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: o.maxAgeSeconds }) }), policies }, env);
  cleanups.push(() => gw.close());
  const send = async (from: string, to: readonly string[], body: string, localAddress?: string): Promise<string> => {
    const c = await RawSmtpClient.connect(gw.port, localAddress === undefined ? {} : { localAddress });
    try {
      await c.reply();
      const t = await rawTransaction(c, { ehlo: 'mta.corp.example', from, to, body });
      return (t.final ?? t.data ?? t.rcpts[t.rcpts.length - 1] ?? t.mail).text;
    } finally {
      c.close();
    }
  };
  return { mx, gw, secretFile, send };
}

function cardMessage(): string {
  const id = `<${Math.random().toString(36).slice(2)}@corp.example>`;
  return ['From: alice@corp.example', 'To: bob@corp.example', 'Subject: statement', `Message-ID: ${id}`, 'Date: Sun, 29 Nov 2026 05:00:00 +0000', '', `card ${CARD}`].join('\r\n');
}

/** The message as the receiving MTA got it (Received + loop header added), ready to send again. */
const asDelivered = (mx: RecordingMta, i: number): string => (mx.messages[i]?.raw.toString('latin1') ?? '').replace(/\r\n$/, '');

/** Passes a card message to an internal recipient through corp, and returns it as delivered. */
async function legitimatePass(s: Setup): Promise<string> {
  const before = s.mx.messages.length;
  expect(await s.send('alice@corp.example', ['bob@corp.example'], cardMessage())).toMatch(/^250 /);
  const delivered = asDelivered(s.mx, before);
  expect(delivered).toMatch(/^X-Relayguard-Loop: /m);
  return delivered;
}

async function decisions(gw: GatewayHarness, n: number): Promise<string[]> {
  await gw.observer.waitFor(() => gw.observer.transactions.length >= n, `${n} transactions`);
  return gw.observer.transactions.map((t) => t.decision);
}

describe('a loop header never lets a message skip inspection it was not inspected for', () => {
  it('(a) inspects it again when resent to another recipient', async () => {
    const s = await setup();
    const delivered = await legitimatePass(s);
    expect(await s.send('alice@corp.example', ['carol@external.example'], delivered)).toBe(BLOCK);
    expect(s.mx.messages).toHaveLength(1);
  });

  it('(b) inspects it again when a recipient is added', async () => {
    const s = await setup();
    const delivered = await legitimatePass(s);
    expect(await s.send('alice@corp.example', ['bob@corp.example', 'carol@external.example'], delivered)).toBe(BLOCK);
    expect(s.mx.messages).toHaveLength(1);
  });

  it('(c) inspects it again when it comes from another upstream', async () => {
    const s = await setup();
    const delivered = await legitimatePass(s);
    expect(await s.send('alice@corp.example', ['bob@corp.example'], delivered, '127.0.0.2')).toBe(BLOCK);
    expect(s.mx.messages).toHaveLength(1);
  });

  it('(d) inspects it again under a new policy revision (a policy was added)', async () => {
    const s = await setup();
    const delivered = await legitimatePass(s);
    const stricter = await setup({ mx: s.mx, secretFile: s.secretFile, policies: [...BASE, cardPolicy('cards-anywhere', {})] });
    expect(await stricter.send('alice@corp.example', ['bob@corp.example'], delivered)).toBe(BLOCK);
    expect(s.mx.messages).toHaveLength(1);
  });

  it('(e) inspects it again after gateway.loop.maxAgeSeconds', async () => {
    const s = await setup({ maxAgeSeconds: 1, policies: [...BASE, { ...cardPolicy('cards-watch', {}), mode: 'monitor' }] });
    const delivered = await legitimatePass(s);
    await new Promise((r) => setTimeout(r, 2_200));
    expect(await s.send('alice@corp.example', ['bob@corp.example'], delivered)).toMatch(/^250 /);
    expect(await decisions(s.gw, 2)).toEqual(['pass', 'pass']);
    expect(s.gw.incidents.map((i) => i.policy)).toEqual(['cards-watch', 'cards-watch']);
  });

  it('(f) inspects it with a forged MAC, or a stale v=1 header that the old binding accepted', async () => {
    const s = await setup();
    const delivered = await legitimatePass(s);
    const forged = delivered.replace(/mac=([0-9a-f])/, (_m, c: string) => `mac=${c === '0' ? '1' : '0'}`);
    expect(await s.send('alice@corp.example', ['carol@external.example'], forged)).toBe(BLOCK);
    // The v=1 header: HMAC over Message-ID, Date, From, To, Cc, Subject, sender and body, no recipients.
    const fresh = cardMessage();
    const v1 = `X-Relayguard-Loop: ${legacyV1Header(fresh, 'alice@corp.example')}`;
    expect(await s.send('alice@corp.example', ['carol@external.example'], `${v1}\r\n${fresh}`)).toBe(BLOCK);
    expect(s.mx.messages).toHaveLength(1);
  });

  it('(g) inspects a header signed with the hostname-derived key, and refuses a config that would use one', async () => {
    const s = await setup();
    const fresh = cardMessage();
    const hostnameKey = createHash('sha256').update(`relayguard loop header v1\0hostname\0`).update(HOST).digest();
    const guessed = `X-Relayguard-Loop: ${legacyV1Header(fresh, 'alice@corp.example', hostnameKey)}`;
    expect(await s.send('alice@corp.example', ['carol@external.example'], `${guessed}\r\n${fresh}`)).toBe(BLOCK);
    expect(s.mx.messages).toHaveLength(0);

    const { dir, pki } = makeHarnessDir();
    const noSecret = topology({ dir, pki }, s.mx, { mode: 'forward', secretFile: 'unused' });
    delete (noSecret.gateway as { loop?: unknown }).loop;
    delete (noSecret.gateway as { tls?: unknown }).tls;
    const configDir = join(dir, 'config');
    mkdirSync(configDir, { recursive: true });
    // written directly: writeConfigDir would give a test topology a secret of its own
    writeFileSync(join(configDir, 'topology.yaml'), stringify(noSecret));
    const built = await buildGraph(configDir);
    expect(built.graph).toBeUndefined();
    const d = built.diagnostics.find((x) => x.code === 'RG_CFG_LOOP_SECRET_MISSING');
    expect(d).toMatchObject({ severity: 'error', pointer: '/gateway', file: expect.stringContaining('topology.yaml') });
    expect(d?.line).toBeGreaterThan(0);
    expect(d?.column).toBeGreaterThan(0);
  });
});

describe('the case the loop header is for still skips', () => {
  it('reflect: the same message, envelope and upstream back within the max age skips inspection, and stops at 5 hops with 554 5.4.6', async () => {
    const s = await setup({ mode: 'reflect' });
    let delivered = await legitimatePass(s);
    for (let hop = 2; hop <= 5; hop++) {
      expect(await s.send('alice@corp.example', ['BOB@corp.example'], delivered)).toMatch(/^250 /);
      delivered = asDelivered(s.mx, hop - 1);
      expect(delivered.match(/^X-Relayguard-Loop: /gm)).toHaveLength(1);
    }
    expect(await s.send('alice@corp.example', ['bob@corp.example'], delivered)).toBe('554 5.4.6 mail loop detected');
    expect(await decisions(s.gw, 6)).toEqual(['pass', 'loop-skip', 'loop-skip', 'loop-skip', 'loop-skip', 'loop']);
    expect(s.mx.messages).toHaveLength(5);
  });
});

/** The pre-fix header format (v=1), minted with the file secret as the old code derived it, or another key. */
function legacyV1Header(message: string, sender: string, key?: Buffer): string {
  const secret = key ?? createHash('sha256').update('relayguard loop header v1\0file\0').update(SECRET).digest();
  const [head = '', body = ''] = message.split('\r\n\r\n');
  const fields = head.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const);
  const key6 = ['message-id', 'date', 'from', 'to', 'cc', 'subject'].map((n) => fields.filter(([f]) => f === n).map(([, v]) => v).join('\u0000')).join('\n');
  const bodyDigest = createHash('sha256').update(`${body}\r\n`).digest('hex');
  const mac = createHmac('sha256', secret).update(['relayguard-loop-v1', HOST, key6, sender, bodyDigest].join('\n')).digest('hex');
  return `${HOST}; v=1; mac=${mac}`;
}

// Reflect mode, loop protection and policy verdicts on the relay path.
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';
import type { GatewayHarness, TopologyEnv } from '../helpers/gateway-harness.js';
import type { RecordingMta, RecordingMtaOptions } from '../helpers/recording-mta.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { join } from 'node:path';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const POLICIES: Record<string, PolicyFile> = {
  dlp: {
    version: 1,
    policies: [
      { name: 'tag-hello', severity: 'info', match: { keywords: { words: ['hello'], in: ['body'] } }, action: { type: 'modify', addHeaders: { 'X-DLP-Tag': 'tagged' } } },
      { name: 'block-confidential', severity: 'high', match: { keywords: { words: ['confidential'], in: ['subject', 'body'] } }, action: { type: 'block', reply: '550 5.7.1 Blocked by DLP policy block-confidential' } },
      { name: 'quarantine', severity: 'medium', match: { keywords: { words: ['falcon'], in: ['body'] } }, action: { type: 'redirect', to: ['quarantine@corp.example'] } },
    ],
  } as PolicyFile,
};

function reflectTopology(env: TopologyEnv, port: number, gateway: Partial<TopologyFile['gateway']> = {}): TopologyFile {
  return {
    version: 1,
    gateway: {
      hostname: 'gw.example.test',
      listen: [{ address: '127.0.0.1', port: 10025 }],
      tls: { certificate: env.pki.gateway.certPath, key: env.pki.gateway.keyPath },
      spool: { dir: join(env.dir, 'spool') },
      incidents: { path: join(env.dir, 'incidents.jsonl') },
      ...gateway,
    },
    upstreams: [{ name: 'corp-postfix', addresses: ['127.0.0.1/32'], mode: 'reflect', reflect: { port, tls: { starttls: 'disabled' } }, tls: { starttls: 'optional', clientCertificate: 'none', trust: [] } }],
  };
}

async function setup(mtaOpts: RecordingMtaOptions = {}, gateway: Partial<TopologyFile['gateway']> = {}): Promise<{ mx: RecordingMta; gw: GatewayHarness; send: (from: string, to: string[], body: string) => Promise<Awaited<ReturnType<typeof rawTransaction>>> }> {
  const mx = await startRecordingMta(mtaOpts);
  cleanups.push(() => mx.close());
  const gw = await startGateway({ topology: (env) => reflectTopology(env, mx.port, gateway), policies: POLICIES });
  cleanups.push(() => gw.close());
  const send = async (from: string, to: string[], body: string): Promise<Awaited<ReturnType<typeof rawTransaction>>> => {
    const c = await RawSmtpClient.connect(gw.port);
    cleanups.push(() => c.close());
    await c.reply();
    const t = await rawTransaction(c, { ehlo: 'mta.corp.example', from, to, body });
    c.close();
    return t;
  };
  return { mx, gw, send };
}

const count = (raw: string, re: RegExp): number => raw.match(new RegExp(re.source, 'gm'))?.length ?? 0;
const relayed = (m: { raw: Buffer } | undefined): string => m?.raw.toString('latin1') ?? '';

describe('reflect mode', () => {
  it('hands the message back to the upstream re-injection listener', async () => {
    const { mx, gw, send } = await setup();
    const t = await send('alice@corp.example', ['bob@example.org'], testMessage({ body: 'plain' }));
    expect(t.final?.text).toMatch(/^250 .*queued as RGTEST000001/);
    expect(mx.messages).toHaveLength(1);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'record');
    expect(gw.observer.transactions[0]).toMatchObject({ mode: 'reflect', receiver: 'corp-postfix', outcome: 'delivered' });
  });

  it('answers MAIL with the re-injection listener own refusal', async () => {
    const { mx, send } = await setup({ failAt: { mail: { code: 451, message: '4.3.5 Server configuration problem' } } });
    const t = await send('alice@corp.example', ['bob@example.org'], testMessage());
    expect(t.mail.text).toBe('451 4.3.5 Server configuration problem');
    expect(mx.messages).toHaveLength(0);
  });
});

describe('policy verdicts', () => {
  it('blocks with the policy reply and resets the receiving leg', async () => {
    const { mx, gw, send } = await setup();
    const t = await send('alice@corp.example', ['bob@example.org'], testMessage({ body: 'this is confidential' }));
    expect(t.final?.text).toBe('550 5.7.1 Blocked by DLP policy block-confidential');
    const ok = await send('alice@corp.example', ['bob@example.org'], testMessage({ body: 'fine' }));
    expect(ok.final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
    expect(gw.incidents.map((i) => (i as unknown as { policy: string }).policy)).toEqual(['block-confidential']);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 2, 'records');
    expect(gw.observer.transactions[0]).toMatchObject({ outcome: 'blocked', decision: 'block', policies: ['block-confidential'] });
  });

  it('modifies the header block only', async () => {
    const { mx, send } = await setup();
    const body = 'hello world\r\n\r\nsecond paragraph';
    const t = await send('alice@corp.example', ['bob@example.org'], testMessage({ body }));
    expect(t.final?.code).toBe(250);
    const raw = relayed(mx.messages[0]);
    expect(raw).toMatch(/\r\nX-DLP-Tag: tagged\r\n/);
    expect(raw.endsWith(`\r\n\r\n${body}\r\n`)).toBe(true);
  });

  it('redirects to the policy recipients only', async () => {
    const { mx, send } = await setup();
    const t = await send('alice@corp.example', ['bob@example.org', 'carol@example.org'], testMessage({ body: 'project falcon' }));
    expect(t.final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
    expect(mx.messages[0]?.to).toEqual(['quarantine@corp.example']);
    expect(relayed(mx.messages[0])).toMatch(/X-Relayguard-Original-Recipients: bob@example\.org, carol@example\.org/);
  });

  // A 1 ms budget cannot cover a 400 KB message: the whole inspection fails (onFailure), unlike a
  // part over a limit, which is an unscannable part (onUnscannable, test/evasion/unscannable.test.ts).
  it('tempfails with 451 4.7.1 when inspection cannot finish and onFailure is tempfail', async () => {
    const { mx, send } = await setup({}, { inspection: { budgetMs: 1, onFailure: 'tempfail' } });
    const t = await send('alice@corp.example', ['bob@example.org'], slowToInspect());
    expect(t.final?.text).toMatch(/^451 4\.7\.1 /);
    expect(mx.messages).toHaveLength(0);
  });

  it('passes with a marker header when inspection cannot finish and onFailure is pass', async () => {
    const { mx, send } = await setup({}, { inspection: { budgetMs: 1, onFailure: 'pass' } });
    const t = await send('alice@corp.example', ['bob@example.org'], slowToInspect());
    expect(t.final?.code).toBe(250);
    expect(relayed(mx.messages[0])).toMatch(/\r\nX-Relayguard-Inspection: failed; /);
  });
});

describe('loop protection', () => {
  it('relays a message carrying our valid loop header without inspecting it again or adding a second one', async () => {
    const { mx, gw, send } = await setup();
    await send('alice@corp.example', ['bob@example.org'], testMessage({ body: 'hello again' }));
    const first = relayed(mx.messages[0]);
    expect(count(first, /^X-DLP-Tag:/)).toBe(1);
    const again = await send('alice@corp.example', ['bob@example.org'], first.replace(/\r\n$/, ''));
    expect(again.final?.code).toBe(250);
    const second = relayed(mx.messages[1]);
    expect(count(second, /^X-Relayguard-Loop:/)).toBe(1);
    expect(count(second, /^X-DLP-Tag:/)).toBe(1);
    expect(count(second, /^Received: /)).toBe(2);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 2, 'records');
    expect(gw.observer.transactions[1]?.decision).toBe('loop-skip');
  });

  it('inspects a message whose loop header is forged or belongs to other content', async () => {
    const { mx, gw, send } = await setup();
    await send('alice@corp.example', ['bob@example.org'], testMessage({ subject: 'status', body: 'hello' }));
    const first = relayed(mx.messages[0]).replace(/\r\n$/, '');
    const forged = first.replace(/mac=[0-9a-f]{64}/, `mac=${'0'.repeat(64)}`);
    const t1 = await send('alice@corp.example', ['bob@example.org'], forged);
    expect(t1.final?.code).toBe(250);
    expect(count(relayed(mx.messages[1]), /^X-DLP-Tag:/)).toBe(2);
    expect(count(relayed(mx.messages[1]), /^X-Relayguard-Loop:/)).toBe(2);
    const pasted = first.replace('Subject: status', 'Subject: confidential numbers');
    const t2 = await send('alice@corp.example', ['bob@example.org'], pasted);
    expect(t2.final?.text).toBe('550 5.7.1 Blocked by DLP policy block-confidential');
    const otherBody = `${first}\r\nconfidential appendix`;
    const t3 = await send('alice@corp.example', ['bob@example.org'], otherBody);
    expect(t3.final?.code).toBe(550);
    const otherSender = await send('mallory@corp.example', ['bob@example.org'], first);
    expect(otherSender.final?.code).toBe(250);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 5, 'records');
    expect(gw.observer.transactions[4]?.decision).not.toBe('loop-skip');
    expect(mx.messages).toHaveLength(3);
  });

  it('refuses a message that already passed this gateway too often with 554 5.4.6', async () => {
    const { mx, send } = await setup();
    const hop = 'Received: from a (b [127.0.0.1])\r\n\tby gw.example.test (relayguard) with ESMTP id x;\r\n\tSun, 29 Nov 2026 05:00:00 +0000';
    const t = await send('alice@corp.example', ['bob@example.org'], `${Array(5).fill(hop).join('\r\n')}\r\n${testMessage()}`);
    expect(t.final?.text).toBe('554 5.4.6 mail loop detected');
    expect(mx.messages).toHaveLength(0);
  });
});

function slowToInspect(): string {
  return testMessage({ body: 'hello there, nothing to see in this line at all\r\n'.repeat(8_000) });
}

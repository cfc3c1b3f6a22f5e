// A part the gateway cannot read is never passed silently: over real SMTP, a message whose content
// lies beyond an inspection limit (maxParts, maxDecodedBytes — reason 'limit') is refused by default
// with a reply naming what was not read; onUnscannable tempfail / pass and an `unscannable` policy
// change that as configured. Encrypted and bzip2 zip entries need the extraction branch to report
// them as unscannable parts.
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import type { RecordingMta } from '../helpers/recording-mta.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CARD = '4111 1111 1111 1111';
const CARDS: PolicyFile['policies'][number] = { name: 'block-cards', severity: 'high', match: { creditCardNumber: {} }, action: { type: 'block', reply: '550 5.7.1 Card numbers may not leave' } } as PolicyFile['policies'][number];

async function setup(inspection: NonNullable<TopologyFile['gateway']['inspection']>, extra: PolicyFile['policies'] = []): Promise<{ mx: RecordingMta; gw: GatewayHarness; send: (body: string) => Promise<string> }> {
  const mx = await startRecordingMta();
  cleanups.push(() => mx.close());
  const gw = await startGateway({
    topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx', port: mx.port }], gateway: { inspection } }),
    policies: { dlp: { version: 1, policies: [CARDS, ...extra] } as PolicyFile },
  });
  cleanups.push(() => gw.close());
  const send = async (body: string): Promise<string> => {
    const c = await RawSmtpClient.connect(gw.port);
    try {
      await c.reply();
      const t = await rawTransaction(c, { ehlo: 'mta.corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body });
      return (t.final ?? t.data ?? t.mail).text;
    } finally {
      c.close();
    }
  };
  return { mx, gw, send };
}

function multipart(parts: readonly { type: string; name?: string; body: string; encoding?: string }[]): string {
  const b = 'rg-boundary-1';
  const text = parts
    .map((p) =>
      [
        `--${b}`,
        `Content-Type: ${p.type}${p.name ? `; name="${p.name}"` : ''}`,
        ...(p.name ? [`Content-Disposition: attachment; filename="${p.name}"`] : []),
        ...(p.encoding ? [`Content-Transfer-Encoding: ${p.encoding}`] : []),
        '',
        p.body,
      ].join('\r\n'),
    )
    .join('\r\n');
  return testMessage({ subject: 'files', headers: ['MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${b}"`], body: `${text}\r\n--${b}--` });
}

/** Ten small parts, the card in the last one: with maxParts 3 most of it is never read. */
const manyParts = (): string => multipart(Array.from({ length: 10 }, (_, i) => ({ type: 'text/plain', body: i === 9 ? `card ${CARD}` : `part ${i}` })));

/** A 6 KB attachment with the card at its end: with maxDecodedBytes 1024 the end is never read. */
const bigAttachment = (): string => multipart([{ type: 'text/plain', body: 'see attached' }, { type: 'text/plain', name: 'export.txt', body: `${'filler line\r\n'.repeat(500)}card ${CARD}` }]);

const LIMIT_REFUSAL = /^554 5\.7\.1 Message refused: the message could not be inspected in full \(limit: /;
/** Extraction names the cut part itself ("and 1 more part" is the message-wide maxDecodedBytes hit). */
const PART_REFUSAL = /^554 5\.7\.1 Message refused: attachment "export\.txt" could not be inspected \(limit\)/;

describe('a part over an inspection limit is an unscannable part (reason limit)', () => {
  it('is refused by default (onUnscannable: block) with a reply naming what was not read — maxParts', async () => {
    const { mx, gw, send } = await setup({ maxParts: 3 });
    const reply = await send(manyParts());
    expect(reply).toMatch(LIMIT_REFUSAL);
    expect(reply).toContain('maxParts');
    expect(mx.messages).toHaveLength(0);
    expect(gw.incidents.map((i) => [i.policy, i.verdict, i.unscannable?.[0]?.reason])).toEqual([['gateway.inspection.onUnscannable', 'block', 'limit']]);
  });

  it('is refused by default — maxDecodedBytes', async () => {
    const { mx, send } = await setup({ maxDecodedBytes: 1024 });
    const reply = await send(bigAttachment());
    expect(reply).toMatch(PART_REFUSAL);
    expect(mx.messages).toHaveLength(0);
  });

  it('onUnscannable: tempfail answers 451 4.7.1 naming it, and the message is not relayed', async () => {
    const { mx, send } = await setup({ maxDecodedBytes: 1024, onUnscannable: 'tempfail' });
    const reply = await send(bigAttachment());
    expect(reply).toMatch(/^451 4\.7\.1 .*attachment "export\.txt" could not be inspected \(limit\)/);
    expect(mx.messages).toHaveLength(0);
  });

  it('onUnscannable: pass relays with an X-Relayguard-Inspection marker and an incident record', async () => {
    const { mx, gw, send } = await setup({ maxParts: 3, onUnscannable: 'pass' });
    expect(await send(manyParts())).toMatch(/^250 /);
    const raw = mx.messages[0]?.raw.toString('latin1') ?? '';
    expect(raw).toMatch(/\r\nX-Relayguard-Inspection: unscannable; \(message\) \(limit\)\r\n/);
    expect(gw.incidents.map((i) => [i.policy, i.action, i.verdict])).toEqual([['gateway.inspection.onUnscannable', 'pass', 'pass']]);
  });

  it('an enforce-mode unscannable policy decides instead; a monitor-mode one only records', async () => {
    const allow = { name: 'big-exports-ok', match: { unscannable: { reasons: ['limit'] } }, action: { type: 'pass' } } as PolicyFile['policies'][number];
    const allowed = await setup({ maxDecodedBytes: 1024 }, [allow]);
    expect(await allowed.send(bigAttachment())).toMatch(/^250 /);
    expect(allowed.gw.incidents.map((i) => i.policy)).toEqual(['big-exports-ok']);
    const watched = await setup({ maxDecodedBytes: 1024 }, [{ ...allow, name: 'watch', mode: 'monitor' }]);
    expect(await watched.send(bigAttachment())).toMatch(PART_REFUSAL);
    expect(watched.gw.incidents.map((i) => i.policy)).toEqual(['watch', 'gateway.inspection.onUnscannable']);
  });

  it('a card found before the limit still gets the policy block', async () => {
    const { send } = await setup({ maxParts: 3 });
    const early = multipart(Array.from({ length: 10 }, (_, i) => ({ type: 'text/plain', body: i === 0 ? `card ${CARD}` : `part ${i}` })));
    expect(await send(early)).toMatch(/^5\d\d 5\.7\.1 /);
  });
});

describe('archive entries the extractor cannot read', () => {
  // extraction branch: today fflate's failure is only a note and the message passes
  it('refuses a zip whose entry is encrypted, naming the entry', async () => {
    const { mx, send } = await setup({});
    const zip = zipOf([{ name: 'cards.txt', method: 0, flags: 0x1, data: ciphertext(`card ${CARD}`), size: 24 }]);
    const reply = await send(multipart([{ type: 'text/plain', body: 'see attached' }, { type: 'application/zip', name: 'secret.zip', encoding: 'base64', body: zip.toString('base64') }]));
    expect(reply).toMatch(/^554 5\.7\.1 Message refused: attachment "secret\.zip\/cards\.txt" could not be inspected \(encrypted\)$/);
    expect(mx.messages).toHaveLength(0);
  });

  // extraction branch: fflate has no bzip2; today the entry is skipped with a note and the message passes
  it('refuses a zip whose entry uses bzip2 (method 12), naming the entry', async () => {
    const { mx, send } = await setup({});
    const zip = zipOf([{ name: 'cards.txt', method: 12, flags: 0, data: Buffer.from('BZh91AY&SY not really bzip2'), size: 24 }]);
    const reply = await send(multipart([{ type: 'text/plain', body: 'see attached' }, { type: 'application/zip', name: 'logs.zip', encoding: 'base64', body: zip.toString('base64') }]));
    expect(reply).toMatch(/^554 5\.7\.1 Message refused: attachment "logs\.zip\/cards\.txt" could not be inspected \(unsupported\)$/);
    expect(mx.messages).toHaveLength(0);
  });
});

/** What a ZipCrypto entry looks like from outside: a 12-byte header, then bytes that are not the text. */
function ciphertext(text: string): Buffer {
  const body = Buffer.from(text).map((b) => b ^ 0xa5);
  return Buffer.concat([Buffer.alloc(12, 0x5a), body]);
}

/** A zip written byte by byte, so the method and flags can be ones no library would write. */
function zipOf(entries: readonly { name: string; method: number; flags: number; data: Buffer; size: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const crc = crc32(e.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

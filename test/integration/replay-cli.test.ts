// relayguard replay: both revisions' inspection over a corpus (eml directory, mbox, Maildir), the envelope
// rules, the four formats, the exit codes, and — over real SMTP — the same verdicts the gateway gives.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { parseDocument, DomUtils } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../engine/cli/replay.js';
import { detectCorpus, readCorpus } from '../../engine/gitops/replay-corpus.js';
import { loadRevision, replayCorpus } from '../../engine/gitops/replay.js';
import type { ReplayReport, Revision } from '../../engine/gitops/replay.js';
import { generateCorpus, writeEmlDir, writeMaildir, writeMbox } from '../../bench/corpus.mjs';
import { writeConfigDir } from '../helpers/config-dir.js';
import { RawSmtpClient, forwardTopology, makeHarnessDir, rawTransaction, startGateway } from '../helpers/gateway-harness.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import type { TestPki } from '../helpers/pki.js';

const OLD: PolicyFile = {
  version: 1,
  policies: [
    { name: 'cards', match: { creditCardNumber: {} }, action: { type: 'block' } },
    { name: 'falcon', match: { keywords: { words: ['project falcon'] } }, action: { type: 'modify', addHeaders: { 'X-DLP': 'falcon' } } },
  ],
};
const NEW: PolicyFile = {
  version: 1,
  policies: [
    { name: 'cards', scope: { senders: ['*@corp.example'] }, match: { creditCardNumber: {} }, action: { type: 'block' } },
    { name: 'falcon', match: { keywords: { words: ['project falcon'] } }, action: { type: 'block' } },
    { name: 'ssn-watch', mode: 'monitor', match: { usSsn: {} }, action: { type: 'block' } },
  ],
};

let dir: string;
let pki: TestPki;
let topology: TopologyFile;
let oldDir: string;
let newDir: string;

beforeAll(() => {
  const env = makeHarnessDir();
  dir = env.dir;
  pki = env.pki;
  topology = forwardTopology({ dir, pki }, { receivers: [{ name: 'mx-1', port: 9 }] });
  oldDir = writeConfigDir(join(dir, 'old'), topology, { rules: OLD });
  newDir = writeConfigDir(join(dir, 'new'), topology, { rules: NEW });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function message(o: { from?: string; returnPath?: string; to?: string; deliveredTo?: string; subject: string; body: string }): string {
  return [
    ...(o.returnPath !== undefined ? [`Return-Path: <${o.returnPath}>`] : []),
    ...(o.deliveredTo !== undefined ? [`Delivered-To: ${o.deliveredTo}`] : []),
    `From: ${o.from ?? 'alice@corp.example'}`,
    `To: ${o.to ?? 'bob@example.org'}`,
    `Subject: ${o.subject}`,
    `Message-ID: <${o.subject.replace(/\W+/g, '-')}@corp.example>`,
    'Date: Sun, 29 Nov 2026 05:00:00 +0000',
    '',
    o.body,
    '',
  ].join('\r\n');
}

async function replayJson(corpus: string, extra: Partial<Parameters<typeof runReplay>[2]> = {}): Promise<{ exitCode: number; report: ReplayReport }> {
  const out = await runReplay(oldDir, newDir, { corpus, format: 'json', ...extra });
  expect(out.stderr, out.stderr).toBe('');
  return { exitCode: out.exitCode, report: JSON.parse(out.stdout) as ReplayReport };
}

const HAND = [
  { name: 'clean', raw: message({ subject: 'clean', body: 'hello there' }) },
  { name: 'partner-card', raw: message({ returnPath: 'bob@partner.example', from: 'alice@corp.example', subject: 'partner card', body: 'From here on, the card:\r\n4111 1111 1111 1111' }) },
  { name: 'corp-card', raw: message({ subject: 'corp card', body: 'card 4111 1111 1111 1111' }) },
  { name: 'falcon', raw: message({ subject: 'falcon', body: 'about project falcon' }) },
  { name: 'ssn', raw: message({ subject: 'ssn', body: 'ssn 536-22-4187' }) },
];

describe('replay over each corpus format', () => {
  it('reports each message handled differently, with the envelope from Return-Path, and a summary per policy', async () => {
    const corpus = join(dir, 'hand-eml');
    writeEmlDir(corpus, HAND.map((m) => ({ name: m.name, raw: Buffer.from(m.raw) })));
    const { exitCode, report } = await replayJson(corpus);
    expect(exitCode).toBe(3);
    expect(report.messages).toBe(5);
    const byId = Object.fromEntries(report.diffs.map((d) => [d.id, d]));
    expect(Object.keys(byId).sort()).toEqual(['falcon.eml', 'partner-card.eml', 'ssn.eml']);
    expect(byId['partner-card.eml']).toMatchObject({ sender: 'bob@partner.example', before: { kind: 'block' }, after: { kind: 'pass', matches: [] } });
    expect(byId['falcon.eml']).toMatchObject({ before: { kind: 'modify' }, after: { kind: 'block', matches: [{ policy: 'falcon', action: 'block' }] } });
    expect(byId['ssn.eml']).toMatchObject({ before: { kind: 'pass', matches: [] }, after: { kind: 'pass', matches: [{ policy: 'ssn-watch', mode: 'monitor' }] } });
    const impact = Object.fromEntries(report.policies.map((p) => [p.policy, p]));
    expect(impact['cards']).toMatchObject({ newlyBlocked: 0, noLongerBlocked: 1, changedAction: 0, noLongerMatched: 1 });
    expect(impact['falcon']).toMatchObject({ newlyBlocked: 1, noLongerBlocked: 0, changedAction: 1 });
    expect(impact['ssn-watch']).toMatchObject({ newlyBlocked: 0, newlyMatched: 1 });
  });

  it('gives the same verdicts for the same generated messages as an eml directory, an mbox and a Maildir', async () => {
    const messages = [...generateCorpus(300, 7)];
    const emlDir = join(dir, 'gen-eml');
    const mbox = join(dir, 'gen.mbox');
    const maildir = join(dir, 'gen-maildir');
    writeEmlDir(emlDir, messages);
    await writeMbox(mbox, messages);
    writeMaildir(maildir, messages);
    expect((await detectCorpus(emlDir)).ok && (await detectCorpus(mbox)).ok).toBe(true);
    const outcome = async (corpus: string): Promise<string[]> => {
      const { exitCode, report } = await replayJson(corpus);
      expect(exitCode).toBe(3);
      expect(report.messages).toBe(300);
      return report.diffs.map((d) => `${d.subject}: ${d.sender} ${d.before.kind}→${d.after.kind} [${d.after.matches.map((m) => m.policy).join(',')}]`).sort();
    };
    const eml = await outcome(emlDir);
    expect(eml.length).toBeGreaterThan(5);
    expect(await outcome(mbox)).toEqual(eml);
    expect(await outcome(maildir)).toEqual(eml);
  });

  it('reads mbox From_ lines and >From escaping back to the original bytes', async () => {
    const mbox = join(dir, 'escape.mbox');
    await writeMbox(mbox, [{ name: 'x', raw: Buffer.from(HAND[1]!.raw), sender: 'bob@partner.example' }, { name: 'y', raw: Buffer.from(HAND[0]!.raw), sender: 'MAILER-DAEMON' }]);
    const got = [];
    for await (const m of readCorpus(mbox, 'mbox')) got.push(m);
    expect(got.map((m) => m.raw.toString('latin1'))).toEqual([HAND[1]!.raw, HAND[0]!.raw]);
    expect(got.map((m) => m.hints)).toEqual([{ sender: 'bob@partner.example' }, {}]);
  });

  it('takes the envelope from a sidecar over the headers, from flags over everything, and Delivered-To before To', async () => {
    const corpus = join(dir, 'sidecar');
    mkdirSync(corpus, { recursive: true });
    writeFileSync(join(corpus, 'a.eml'), message({ returnPath: 'alice@corp.example', subject: 'sidecar card', body: 'card 4111 1111 1111 1111' }));
    writeFileSync(join(corpus, 'a.eml.json'), JSON.stringify({ sender: 'eve@partner.example', recipients: ['x@example.org'], upstream: 'corp' }));
    writeFileSync(join(corpus, 'b.eml'), message({ to: 'team@lists.example.org', deliveredTo: 'carol@example.org', subject: 'delivered', body: 'card 4111 1111 1111 1111', returnPath: 'bob@partner.example' }));
    const { report } = await replayJson(corpus);
    expect(report.diffs.map((d) => [d.id, d.sender, d.recipients, d.upstream])).toEqual([
      ['a.eml', 'eve@partner.example', ['x@example.org'], 'corp'],
      ['b.eml', 'bob@partner.example', ['carol@example.org'], 'corp'],
    ]);
    const flagged = await replayJson(corpus, { sender: 'alice@corp.example', recipient: ['r1@example.org', 'r2@example.org'] });
    expect(flagged.exitCode).toBe(0);
    expect(flagged.report.diffs).toEqual([]);
  });
});

describe('replay formats and exit codes', () => {
  let corpus: string;
  beforeAll(() => {
    corpus = join(dir, 'fmt');
    writeEmlDir(corpus, HAND.map((m) => ({ name: m.name, raw: Buffer.from(`${m.raw}`) })));
  });

  it('markdown renders as a pull-request comment: a per-policy table and the messages', async () => {
    const out = await runReplay(oldDir, newDir, { corpus, format: 'markdown' });
    expect(out.exitCode).toBe(3);
    const html = new MarkdownIt({ html: true }).render(out.stdout);
    const doc = parseDocument(html);
    const tables = DomUtils.findAll((e) => e.name === 'table', doc.children);
    expect(tables).toHaveLength(2);
    const rows = (t: (typeof tables)[number]): string[][] =>
      DomUtils.findAll((e) => e.name === 'tr', [t]).map((tr) => DomUtils.findAll((e) => e.name === 'td' || e.name === 'th', tr.children).map((c) => DomUtils.textContent(c).trim()));
    const policyRows = rows(tables[0]!);
    expect(policyRows[0]).toEqual(['policy', 'newly blocked', 'no longer blocked', 'changed action', 'newly matched', 'no longer matched']);
    expect(policyRows.slice(1)).toEqual([
      ['cards', '0', '1', '0', '0', '1'],
      ['falcon', '1', '0', '1', '0', '0'],
      ['ssn-watch', '0', '0', '0', '1', '0'],
    ]);
    const messageRows = rows(tables[1]!);
    expect(messageRows).toHaveLength(4);
    expect(messageRows.find((r) => r[0]?.startsWith('falcon.eml'))?.slice(2)).toEqual(['modify [falcon]', 'block [falcon]']);
    expect(DomUtils.textContent(DomUtils.findAll((e) => e.name === 'h3', doc.children)[0]!)).toBe('relayguard replay');
  });

  it('a subject with pipes and markup cannot break the table', async () => {
    const c = join(dir, 'hostile');
    writeEmlDir(c, [{ name: 'h', raw: Buffer.from(message({ subject: 'a | b <img src=x> `c`', body: 'about project falcon' })) }]);
    const html = new MarkdownIt({ html: true }).render((await runReplay(oldDir, newDir, { corpus: c, format: 'markdown' })).stdout);
    const doc = parseDocument(html);
    expect(DomUtils.findAll((e) => e.name === 'img', doc.children)).toHaveLength(0);
    const cells = DomUtils.findAll((e) => e.name === 'td', DomUtils.findAll((e) => e.name === 'table', doc.children)[1]!.children);
    expect(cells).toHaveLength(4);
    expect(DomUtils.textContent(cells[0]!)).toContain('a | b <img src=x> `c`');
  });

  it('github annotates the line of each changed policy in its file', async () => {
    const out = await runReplay(oldDir, newDir, { corpus, format: 'github' });
    expect(out.exitCode).toBe(3);
    const lines = out.stdout.trim().split('\n');
    const policyFile = readFileSync(join(newDir, 'rules.policy.yaml'), 'utf8').split('\n');
    for (const name of ['cards', 'falcon', 'ssn-watch']) {
      const line = lines.find((l) => l.includes(`title=relayguard replay%3A ${name}::`));
      expect(line, name).toBeDefined();
      const m = /^::warning file=([^,]+),line=(\d+),/.exec(line ?? '');
      expect(m?.[1]).toMatch(/new\/rules\.policy\.yaml$/);
      expect(policyFile[Number(m?.[2]) - 1]).toMatch(new RegExp(`name: ${name}$`));
    }
    expect(lines.at(-1)).toBe('::notice title=relayguard replay::5 message(s) replayed, 3 handled differently');
  });

  it('text lists the differences and the summary; exit 0 when the revisions agree', async () => {
    const out = await runReplay(oldDir, newDir, { corpus });
    expect(out.stdout).toContain('~ falcon.eml');
    expect(out.stdout).toContain('modify [falcon] → block [falcon]');
    expect(out.stdout).toMatch(/5 message\(s\) replayed, 3 handled differently\n$/);
    const same = await runReplay(newDir, newDir, { corpus });
    expect(same.exitCode).toBe(0);
  });

  it('exit 1 for an invalid revision, 2 for a corpus that does not exist', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'topology.yaml'), 'version: 1\nupstreams: []\n');
    const invalid = await runReplay(oldDir, bad, { corpus });
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toContain('NEW_DIR');
    expect((await runReplay(oldDir, newDir, { corpus: join(dir, 'nope') })).exitCode).toBe(2);
  });

  it('prints progress every N messages when asked', async () => {
    const progress: string[] = [];
    await runReplay(oldDir, newDir, { corpus, progress: (l) => progress.push(l), progressEvery: 2 });
    expect(progress).toEqual([expect.stringMatching(/^replay: 2 messages, \d+ differ/), expect.stringMatching(/^replay: 4 messages, \d+ differ/)]);
  });
});

describe('replay gives the verdicts serve gives', () => {
  it('a generated sample sent through a real gateway over SMTP gets the handling replay predicts', async () => {
    const mx = await startRecordingMta();
    const env = makeHarnessDir();
    const topo = (e: { dir: string; pki: TestPki }): TopologyFile => forwardTopology(e, { receivers: [{ name: 'mx-1', port: mx.port }] });
    const gw = await startGateway({ topology: topo, policies: { rules: NEW } }, env);
    try {
      const empty = writeConfigDir(join(env.dir, 'empty'), topo(env), {});
      const sample = [...generateCorpus(60, 11)].map((m) => ({ ...m, name: m.name }));
      const corpus = join(env.dir, 'sample');
      writeEmlDir(corpus, sample);
      const before = await loadRevision(empty);
      const after = await loadRevision(join(env.dir, 'config'));
      if (!before.ok || !after.ok) throw new Error('revisions do not build');
      const predicted = new Map<string, { kind: string; policies: string[] }>();
      const report = await replayCorpus(before.revision as Revision, after.revision as Revision, readCorpus(corpus, 'eml-dir'), { flags: {} });
      for (const m of sample) predicted.set(`${m.name}.eml`, { kind: 'pass', policies: [] });
      for (const d of report.diffs) predicted.set(d.id, { kind: d.after.kind, policies: d.after.matches.map((x) => x.policy) });
      expect([...predicted.values()].filter((p) => p.kind === 'block').length).toBeGreaterThan(0);

      const c = await RawSmtpClient.connect(gw.port);
      expect((await c.reply()).code).toBe(220);
      await c.command('EHLO corp.example');
      const live = new Map<string, { kind: string; policies: string[] }>();
      for (const m of sample) {
        const body = m.raw.toString('latin1').replace(/\r\n\./g, '\r\n..');
        const t = await rawTransaction(c, { from: m.sender, to: [m.rcpt], body });
        const code = t.final?.code ?? 0;
        const kind = code === 250 ? 'pass' : code >= 500 ? 'block' : code >= 400 ? 'tempfail' : `code ${code}`;
        const id = `gen-${Number(m.name.slice(1))}@corp.example`;
        const policies = gw.incidents.filter((i) => i.messageId.replace(/^<|>$/g, '') === id).map((i) => i.policy);
        live.set(`${m.name}.eml`, { kind, policies: [...new Set(policies)].sort() });
      }
      c.close();
      for (const [id, p] of predicted) expect(live.get(id), id).toEqual({ kind: p.kind, policies: [...p.policies].sort() });
      expect(mx.messages.length).toBe([...predicted.values()].filter((p) => p.kind === 'pass').length);
    } finally {
      await gw.close();
      await mx.close();
    }
  });
});

// Extraction off the event loop: a hostile attachment that costs seconds of pdf.js work runs in a worker
// thread, so another session's greeting is not delayed; a file over its time budget is terminated and
// reported as timed out; and the compiled worker (dist/) is what a built gateway really loads.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { RECIPIENT, SENDER, useGatewayWithMta } from '../reliability/setup.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { CARD, pdf, slowPdf } from './extraction-fixtures.js';

const policy = {
  version: 1,
  policies: [{ name: 'block-cards', severity: 'high', mode: 'enforce', match: { creditCardNumber: { min: 1 } }, action: { type: 'block', reply: '550 5.7.1 card numbers may not leave' } }],
} as PolicyFile;

describe('CPU-heavy extraction runs off the event loop', () => {
  // slowPdf's content stream is 1000:1 repetitive: the ratio limit would refuse it before any pdf.js work,
  // so these tests about time raise it (through gateway.inspection.extraction, as a user would)
  const peers = useGatewayWithMta({ policies: { cards: policy }, gateway: { inspection: { extraction: { maxRatio: 100_000 } } } });

  it('a PDF that takes seconds to read does not delay another session: its greetings stay under 1 s', async () => {
    const message = (await buildMessage({ from: SENDER, to: RECIPIENT, text: 'slow', attachments: [{ filename: 'slow.pdf', content: slowPdf(3_000_000) }] })).toString('latin1');
    const { client } = await RawSmtp.open(peers.gw.port, { replyTimeoutMs: 30_000 });
    await client.ehlo();
    client.write(`MAIL FROM:<${SENDER}>\r\nRCPT TO:<${RECIPIENT}>\r\nDATA\r\n`);
    await client.replies(3);
    const started = performance.now();
    client.write(`${message.replace(/\r\n\./g, '\r\n..')}\r\n.\r\n`);
    let done = false;
    const reply = client.reply(30_000).finally(() => (done = true));
    const greetings: number[] = [];
    while (!done) {
      const t0 = performance.now();
      const other = await RawSmtp.open(peers.gw.port);
      greetings.push(performance.now() - t0);
      await other.client.quit();
      other.client.destroy();
      await new Promise((r) => setTimeout(r, 200));
    }
    const inspected = performance.now() - started;
    // whatever the verdict for a timed-out part (onUnscannable), a reply comes and nothing stalled
    expect((await reply).code).toBeGreaterThanOrEqual(250);
    await client.quit();
    client.destroy();
    expect(inspected).toBeGreaterThan(2_000);
    expect(greetings.length).toBeGreaterThan(3);
    expect(Math.max(...greetings)).toBeLessThan(1_000);
  });

  it('a file over its time budget is terminated in its worker and reported as timed out', async () => {
    const message = await buildMessage({ text: 'slow', attachments: [{ filename: 'slow.pdf', content: slowPdf(3_000_000) }] });
    const t0 = performance.now();
    const a = await analyzeMessage(message, { ...DEFAULT_ANALYSIS_LIMITS, timeoutMs: 300, maxRatio: 100_000 });
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(a.unscannable).toEqual([{ label: 'slow.pdf', reason: 'timeout', detail: 'extraction took longer than 300 ms' }]);
  });

  it('the built gateway (dist/) loads its compiled worker and reads a PDF with it', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const analyze = join(root, 'dist', 'policy', 'extract', 'analyze.js');
    expect(existsSync(analyze), 'dist/ is missing: run npm run build').toBe(true);
    const message = (await buildMessage({ text: 'x', attachments: [{ filename: 'card.pdf', content: pdf(`card ${CARD}`, { flate: true }) }] })).toString('base64');
    const script = `
      const { analyzeMessage } = await import(${JSON.stringify(analyze)});
      const { DEFAULT_ANALYSIS_LIMITS } = await import(${JSON.stringify(join(root, 'dist', 'policy', 'analysis.js'))});
      const { closeExtractionPool } = await import(${JSON.stringify(join(root, 'dist', 'policy', 'extract', 'pool.js'))});
      const a = await analyzeMessage(Buffer.from(${JSON.stringify(message)}, 'base64'), DEFAULT_ANALYSIS_LIMITS);
      console.log(JSON.stringify(a.segments.find((s) => s.label === 'card.pdf')?.text ?? null));
      await closeExtractionPool();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root, timeout: 30_000 });
    expect(JSON.parse(stdout.trim())).toBe(`card ${CARD}`);
  });
});

// pdf.js inflates FlateDecode streams without any cap: a 1 MB PDF whose content stream inflates to 1 GiB
// of zeros must be refused at the extraction output limit (an unscannable part, reason limit), with the
// memory of the gateway process (worker threads included) growing by a small fraction of that gigabyte.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { pdf, zerosFlate } from './extraction-fixtures.js';

const GiB = 1 << 30;
const maxRssMiB = (): number => process.resourceUsage().maxRSS / 1024;

describe('a PDF Flate bomb', () => {
  it('a content stream inflating to 1 GiB is refused as over a limit; peak RSS grows by under 150 MiB', async () => {
    const bomb = pdf('', { flateStream: zerosFlate(GiB) });
    expect(bomb.length).toBeLessThan(2 << 20);
    const message = await buildMessage({ text: 'see attached', attachments: [{ filename: 'bomb.pdf', content: bomb }] });
    const before = maxRssMiB();
    const cpu = process.cpuUsage();
    const a = await analyzeMessage(message, DEFAULT_ANALYSIS_LIMITS);
    const used = process.cpuUsage(cpu);
    const growth = maxRssMiB() - before;
    console.log(`PDF bomb (1 GiB of zeros in ${(bomb.length / 2 ** 20).toFixed(1)} MiB): ${((used.user + used.system) / 1e6).toFixed(2)} s CPU, peak RSS +${growth.toFixed(0)} MiB`);
    expect(a.unscannable.map((u) => `${u.label}: ${u.reason}`)).toContain('bomb.pdf: limit');
    expect(growth).toBeLessThan(150);
  });

  it('a lowered extraction output limit refuses a PDF stream that the default lets through', async () => {
    const message = await buildMessage({ text: 'see attached', attachments: [{ filename: 'zeros.pdf', content: pdf('', { flateStream: zerosFlate(16 << 20) }) }] });
    const relaxed = await analyzeMessage(message, { ...DEFAULT_ANALYSIS_LIMITS, maxRatio: 100_000 });
    expect(relaxed.unscannable).toEqual([]);
    const strict = await analyzeMessage(message, { ...DEFAULT_ANALYSIS_LIMITS, maxRatio: 100_000, maxOutputBytes: 1 << 20 });
    expect(strict.unscannable.map((u) => `${u.label}: ${u.reason}`)).toEqual(['zeros.pdf: limit']);
  });
});

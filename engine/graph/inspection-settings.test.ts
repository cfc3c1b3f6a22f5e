// gateway.inspection.extraction reaches the inspection serve, test, replay and shadow run (one
// inspectionSettingsOf): its defaults are today's constants, and a lowered limit changes the verdict.
import { describe, expect, it } from 'vitest';
import type { InspectionSection } from '../config/generated/topology.js';
import { DEFAULT_EXTRACT_TUNING } from '../policy/extract/limits.js';
import { inspectMessage } from '../policy/inspect.js';
import { buildMessage, policySet } from '../../test/fixtures/policy/helpers.js';
import { zip } from '../../test/evasion/extraction-fixtures.js';
import { compileInspection, inspectionSettingsOf } from './inspection-settings.js';

const set = policySet(`
version: 1
policies:
  - name: block-cards
    severity: high
    mode: enforce
    match: { creditCardNumber: { min: 1 } }
    action: { type: block, reply: "550 5.7.1 card numbers may not leave" }
`);
const envelope = { upstream: 'corp-postfix', sender: 'a@corp.example', recipients: ['b@partner.example'], transactionId: 't' };

async function verdictOf(section: InspectionSection | undefined, attachment: Buffer, filename = 'a.zip'): Promise<{ kind: string; unscannable: string[] }> {
  const raw = await buildMessage({ from: 'a@corp.example', to: 'b@partner.example', text: 'see attached', attachments: [{ filename, content: attachment }] });
  const r = await inspectMessage(set, raw, envelope, inspectionSettingsOf(compileInspection(section)));
  return { kind: r.verdict.kind, unscannable: (r.analysis?.unscannable ?? []).map((u) => `${u.label}: ${u.reason}`) };
}

describe('gateway.inspection.extraction', () => {
  it('defaults to the constants extraction used before it was configurable', () => {
    expect(inspectionSettingsOf(compileInspection(undefined)).limits).toEqual({ maxDepth: 16, maxParts: 500, maxDecodedBytes: 104_857_600, ...DEFAULT_EXTRACT_TUNING });
    expect(DEFAULT_EXTRACT_TUNING).toEqual({ maxRatio: 100, ratioFloorBytes: 1 << 20, maxEntries: 500, maxOutputBytes: 100 << 20, timeoutMs: 8_000, workerMinBytes: 64 << 10 });
    // a partial section keeps the other defaults
    expect(inspectionSettingsOf(compileInspection({ extraction: { maxEntries: 3 } })).limits).toMatchObject({ maxEntries: 3, maxRatio: 100 });
  });

  it('maxEntries 1: the second entry of a zip is unscannable, so the message is blocked', async () => {
    const archive = zip([{ name: 'a.txt', data: 'hello' }, { name: 'b.txt', data: 'world' }]);
    expect(await verdictOf(undefined, archive)).toEqual({ kind: 'pass', unscannable: [] });
    const lowered = await verdictOf({ extraction: { maxEntries: 1 } }, archive);
    expect(lowered).toEqual({ kind: 'block', unscannable: ['a.zip: limit'] });
  });

  // refused while the message streams in (mime-parse reads the first local header), so the zip is the part
  it('ratioFloorBytes 0: a 512 KiB entry of zeros (about 1000:1) is refused as a bomb', async () => {
    const archive = zip([{ name: 'zeros.bin', data: Buffer.alloc(512 << 10) }]);
    expect((await verdictOf(undefined, archive)).unscannable).toEqual([]);
    expect(await verdictOf({ extraction: { ratioFloorBytes: 0 } }, archive)).toEqual({ kind: 'block', unscannable: ['a.zip: limit'] });
  });

  it('maxOutputBytes: an entry bigger than one file may extract to is refused', async () => {
    const archive = zip([{ name: 'big.txt', data: 'x'.repeat(200_000) }]);
    expect((await verdictOf(undefined, archive)).unscannable).toEqual([]);
    expect(await verdictOf({ extraction: { maxOutputBytes: 100_000 } }, archive)).toEqual({ kind: 'block', unscannable: ['a.zip/big.txt: limit'] });
  });

  it('maxDepth 1 (gateway.inspection): a zip inside a zip is unscannable', async () => {
    const nested = zip([{ name: 'inner.zip', data: zip([{ name: 'x.txt', data: 'hello' }]) }]);
    expect((await verdictOf(undefined, nested)).unscannable).toEqual([]);
    expect(await verdictOf({ maxDepth: 1 }, nested)).toMatchObject({ kind: 'block' });
  });
});

// The upstream hangs up inside DATA, at byte offsets chosen across the places where the receiving half
// changes state: in the header block, at the empty line, at spool chunk and memory-threshold
// boundaries, in the middle, in the last bytes and inside a half-sent terminator. Every time: the
// session ends (no hang), no descriptor or spool file is left, and the receiving leg was closed without
// the dot (nothing delivered, nothing pooled).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newTestId, testMessage } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { eventually, expectNoSessions } from './leaks.js';
import { FAST_TIMEOUTS, RECIPIENT, SENDER, useLeakCheckedStacks } from './setup.js';

const { cleanup, stack } = useLeakCheckedStacks();
const LONG = process.env.RELAYGUARD_LONG_TESTS === '1';
const MEMORY_THRESHOLD = 1_048_576;

function wireBytes(size: number): { readonly bytes: Buffer; readonly headerEnd: number } {
  const m = testMessage(newTestId('cut'), { padTo: size });
  return { bytes: Buffer.concat([m, Buffer.from('.\r\n')]), headerEnd: m.indexOf('\r\n\r\n') };
}

/** Offsets that each stop the upstream in a different state of the receiving half. */
function offsets(total: number, headerEnd: number, spooled: boolean): number[] {
  const at = new Set<number>([1, 20, headerEnd, headerEnd + 2, headerEnd + 4, Math.floor(total / 2), total - 5, total - 3, total - 2, total - 1]);
  if (spooled) for (const b of [16_384, 65_536, MEMORY_THRESHOLD]) for (const d of [-1, 0, 1]) at.add(b + d);
  if (LONG) for (let i = 1; i < 24; i++) at.add(Math.floor((total * i) / 24) + (i % 3));
  return [...at].filter((o) => o > 0 && o < total).sort((a, b) => a - b);
}

const cases = [
  { name: 'a spooled 50 MB body', ...wireBytes(50 * 1024 * 1024), spooled: true },
  { name: 'a small in-memory body', ...wireBytes(2_000), spooled: false },
];

describe('the upstream hangs up mid-body', () => {
  for (const c of cases) {
    for (const offset of offsets(c.bytes.length, c.headerEnd, c.spooled)) {
      it(`${c.name}, after ${offset} of ${c.bytes.length} bytes: no hang, no leaked descriptor or spool file, leg closed without the dot`, async () => {
        const { mx, gw } = await stack({ gateway: { maxMessageBytes: 60 * 1024 * 1024, timeouts: { ...FAST_TIMEOUTS, dataMs: 60_000 } } });
        const { client } = await RawSmtp.open(gw.port);
        cleanup.add(() => client.destroy());
        await client.ehlo();
        expect((await client.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`, 'DATA'])).map((r) => r.code)).toEqual([250, 250, 354]);
        // Every byte up to the offset has left our side before the connection goes.
        await new Promise<void>((resolve) => client.socket.write(c.bytes.subarray(0, offset), () => resolve()));
        client.socket.resetAndDestroy();
        await expectNoSessions(gw, 10_000);
        await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'transaction record');
        expect(gw.observer.transactions[0]?.outcome).toBe('aborted');
        expect(await eventually(() => gw.pool.stats().leased === 0, 5_000)).toBe(true);
        expect(gw.pool.stats().idle).toBe(0);
        const spool = join(gw.dir, 'spool');
        expect(existsSync(spool) ? readdirSync(spool).filter((f) => !f.startsWith('.')) : []).toEqual([]);
        await new Promise((r) => setTimeout(r, 50));
        expect(mx.messages).toHaveLength(0);
      });
    }
  }
});

// `relayguard test` and `serve` inspect with one function and one set of settings: the topology's
// gateway.inspection limits, budget, onFailure and onUnscannable. The same message, over real SMTP through the gateway and
// as a policy test case, gets the same handling — including when a limit is hit.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runTest } from '../../engine/cli/test.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway } from '../helpers/gateway-harness.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CARDS: PolicyFile = { version: 1, policies: [{ name: 'cards', match: { creditCardNumber: {} }, action: { type: 'block' } }] };

/** Six MIME parts; the card number is in the last one, past a maxParts of 3. */
function manyParts(): string {
  const parts = [1, 2, 3, 4].map((i) => ['--b', 'Content-Type: text/plain', '', `part ${i}`].join('\r\n'));
  parts.push(['--b', 'Content-Type: text/plain', '', 'card 4111 1111 1111 1111'].join('\r\n'));
  return [
    'From: alice@corp.example',
    'To: bob@example.org',
    'Subject: parts',
    'Message-ID: <parts@corp.example>',
    'Date: Sun, 29 Nov 2026 05:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    ...parts,
    '--b--',
    '',
  ].join('\r\n');
}

describe('relayguard test inspects like serve', () => {
  for (const onUnscannable of ['tempfail', 'pass'] as const) {
    it(`a message over gateway.inspection.maxParts gets onUnscannable ${onUnscannable} in both, not the default block`, async () => {
      const mx = await startRecordingMta();
      cleanups.push(() => mx.close());
      const gw = await startGateway({
        topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }], gateway: { inspection: { maxParts: 3, onUnscannable } } }),
        policies: { cards: CARDS },
      });
      cleanups.push(() => gw.close());
      const body = manyParts();

      const c = await RawSmtpClient.connect(gw.port);
      cleanups.push(() => c.close());
      expect((await c.reply()).code).toBe(220);
      const live = await rawTransaction(c, { ehlo: 'corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body });
      const liveKind = live.final?.code === 451 ? 'tempfail' : live.final?.code === 250 ? 'pass' : `reply ${live.final?.text}`;
      expect(liveKind).toBe(onUnscannable);
      if (onUnscannable === 'pass') expect(mx.messages[0]?.raw.toString('latin1')).toMatch(/\r\nX-Relayguard-Inspection: /i);

      const configDir = join(gw.dir, 'config');
      mkdirSync(join(configDir, 'tests'), { recursive: true });
      writeFileSync(join(configDir, 'tests', 'parts.eml'), body);
      writeFileSync(join(configDir, 'tests', 'parts.test.yaml'), stringify({ version: 1, cases: [{ name: 'parts', message: { eml: 'parts.eml' }, expect: { action: liveKind } }] }));
      const out = await runTest(configDir, { format: 'json' });
      expect(out.stderr).toBe("");
      const report = JSON.parse(out.stdout) as { cases: { passed: boolean; failures: string[]; actual: { action: string; inspection: { status: string; reason?: string } } }[] };
      expect(report.cases[0]?.failures).toEqual([]);
      expect(report.cases[0]?.actual).toMatchObject({ action: onUnscannable });
      expect(JSON.stringify(report.cases[0]?.actual)).toContain('gateway.inspection.onUnscannable');
      expect(out.exitCode).toBe(0);
    });
  }

  it('refuses to test under a gateway.inspection the schema rejects (it would not be what serve runs)', async () => {
    const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: 9 }] }), policies: { cards: CARDS } });
    cleanups.push(() => gw.close());
    const configDir = join(gw.dir, 'config');
    writeFileSync(join(configDir, 'topology.yaml'), 'version: 1\ngateway:\n  inspection: { maxParts: many }\nupstreams: []\n');
    mkdirSync(join(configDir, 'tests'), { recursive: true });
    writeFileSync(join(configDir, 'tests', 't.test.yaml'), 'version: 1\ncases:\n  - { name: x, message: { body: hi }, expect: { action: pass } }\n');
    const out = await runTest(configDir);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toMatch(/topology\.yaml:3:\d+: error: RG_CFG_SCHEMA: .*\[\/gateway\/inspection\/maxParts\]/);
  });
});

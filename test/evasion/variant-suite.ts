// The shape the session-8 evasion suites share: each variant is a message built in its test, analysed held
// (a Buffer) and streamed (a Readable, as serve reads a spooled message), with and without the policy's
// detectors (with them, long texts are scanned in windows as they stream); the ones marked `smtp` also go
// through a gateway with a card / SSN block policy, which must refuse them (550 for a finding, 554 for an
// unscannable part) and deliver nothing. A control variant (`expect: 'clean'`) must pass everywhere.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis, type UnscannableReason } from '../../engine/policy/analysis.js';
import { scanUsSsns } from '../../engine/policy/detectors/us-ssn.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { policySet } from '../fixtures/policy/helpers.js';
import { RECIPIENT, SENDER, useGatewayWithMta } from '../reliability/setup.js';
import { scanCreditCards } from '../../engine/policy/detectors/credit-card.js';
import { detectionText } from '../../engine/policy/detectors/detection-text.js';
import { describeAnalysis } from './analysis-checks.js';
import { sendMessage } from './smtp-send.js';

export type Expectation = 'card' | 'ssn' | 'clean' | { readonly unscannable: UnscannableReason; readonly detail?: RegExp };

export interface Variant {
  readonly name: string;
  readonly build: () => Buffer;
  readonly expect: Expectation;
  /** Also sent over SMTP. */
  readonly smtp?: true;
}

export const HEAD = `From: <${SENDER}>\nTo: <${RECIPIENT}>\nSubject: evasion\nMIME-Version: 1.0\n`;
export const crlf = (text: string): Buffer => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
export const b64 = (data: string | Buffer): string => (typeof data === 'string' ? Buffer.from(data) : data).toString('base64').replace(/(.{76})/g, '$1\n');
/** A whole message: the common header, `headers`, a blank line, `body`. */
export const single = (headers: string, body: string): Buffer => crlf(`${HEAD}${headers}\n\n${body}\n`);
/** A multipart/mixed message: a harmless first part, then one part with `partHeaders` and `body`. */
export const inMultipart = (partHeaders: string, body: string): Buffer =>
  crlf(`${HEAD}Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: text/plain\n\nsee the part\n--outer\n${partHeaders}\n\n${body}\n--outer--\n`);

const SCANS = policySet('version: 1\npolicies:\n  - name: cards\n    match: { creditCardNumber: { min: 1 } }\n    action: { type: block }\n');
// as the policy's scan reads a text (TextScan): through detectionText, or the hits of a text scanned while it streamed
const found = (a: MessageAnalysis, scan: (text: string) => { count: number }): boolean => a.segments.some((s) => scan(detectionText(s.text)).count > 0 || (s.prescanned ?? []).some((h) => h.count > 0));
const cardFound = (a: MessageAnalysis): boolean => found(a, scanCreditCards);
const ssnFound = (a: MessageAnalysis): boolean => found(a, scanUsSsns);

const HOW = ['held', 'streamed', 'held, windowed', 'streamed, windowed'] as const;

export function analysisSuite(title: string, variants: readonly Variant[]): void {
  describe(title, () => {
    for (const v of variants) {
      for (const how of HOW) {
        const want = typeof v.expect === 'string' ? { card: 'the card number is found', ssn: 'the SSN is found', clean: 'nothing is found' }[v.expect] : `the part is unscannable (${v.expect.unscannable})`;
        it(`${v.name} (${how}): ${want}`, async () => {
          const raw = how.startsWith('held') ? v.build() : Readable.from([v.build()]);
          const a = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS, undefined, how.endsWith('windowed') ? SCANS : undefined);
          const e = v.expect;
          if (e === 'card') return expect(cardFound(a), describeAnalysis(a)).toBe(true);
          if (e === 'ssn') return expect(ssnFound(a), describeAnalysis(a)).toBe(true);
          if (e === 'clean') {
            expect(a.unscannable, describeAnalysis(a)).toEqual([]);
            return expect(cardFound(a), describeAnalysis(a)).toBe(false);
          }
          const part = a.unscannable.find((u) => u.reason === e.unscannable);
          expect(part, describeAnalysis(a)).toBeDefined();
          expect(part?.detail).toMatch(e.detail ?? /./);
        });
      }
    }
  });
}

const BLOCK = '550 5.7.1 card numbers and SSNs may not leave (evasion suite)';
const POLICY = {
  version: 1,
  policies: [
    { name: 'block-cards', severity: 'high', mode: 'enforce', match: { creditCardNumber: { min: 1, in: ['subject', 'body', 'attachments', 'headers'] } }, action: { type: 'block', reply: BLOCK } },
    { name: 'block-ssns', severity: 'high', mode: 'enforce', match: { usSsn: { min: 1, in: ['subject', 'body', 'attachments', 'headers'] } }, action: { type: 'block', reply: BLOCK } },
  ],
} as PolicyFile;

export function smtpSuite(title: string, tag: string, variants: readonly Variant[]): void {
  describe(title, () => {
    const peers = useGatewayWithMta({ policies: { cards: POLICY } });
    for (const v of variants.filter((x) => x.smtp === true)) {
      const code = v.expect === 'clean' ? 250 : typeof v.expect === 'string' ? 550 : 554;
      it(`${v.name}: ${code}${code === 250 ? ', delivered' : ', nothing delivered'}`, async () => {
        const before = peers.mx.messages.length;
        expect(await sendMessage(peers.gw.port, v.build(), tag)).toBe(code);
        if (code === 250) await peers.mx.waitForMessages(before + 1);
        else expect(peers.mx.messages.length).toBe(before);
      });
    }
  });
}

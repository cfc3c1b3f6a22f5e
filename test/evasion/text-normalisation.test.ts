// "Can I get a card number past it?" at the level of the text: a number a reader sees but spelled with
// invisible format characters, digits of another script, HTML5 references without ';', UTF-16BE, or
// carried in an HTML data: URI. Each message goes through analyzeMessage and the policies serve
// evaluates; the card must be found (and counted once), and the same normalisation must reach every
// detector (SSN, IBAN, catalogue identifiers, keywords, regex, exact data). A subset goes through a real
// gateway over SMTP. Controls: texts that look alike but hold no number must pass, ASCII stays as is.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { evaluatePolicies, type Envelope, type Verdict } from '../../engine/policy/decide/evaluate.js';
import { incidentsFrom } from '../../engine/policy/incidents.js';
import { writeNewKey } from '../../engine/policy/edm/edm-key.js';
import { writeIndexFile } from '../../engine/policy/edm/index-file.js';
import type { PolicySet } from '../../engine/policy/policy-set.js';
import { buildMessage, compileYaml, policySet } from '../fixtures/policy/helpers.js';
import { useGatewayWithMta } from '../reliability/setup.js';
import { sendMessage } from './smtp-send.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { CARD, CARD_DIGITS, zip } from './extraction-fixtures.js';

const env: Envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-norm' };
const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const GROUPS = CARD.split(' ');

/** The card's digits in another script: `zero` is the code point of that script's 0. */
const digitsIn = (zero: number, text = CARD): string => [...text].map((c) => (c >= '0' && c <= '9' ? String.fromCodePoint(zero + Number(c)) : c)).join('');
const html = (body: string): Promise<Buffer> => buildMessage({ text: 'plain alternative', html: `<html><body>${body}</body></html>` });
const attach = (filename: string, content: Buffer | string, contentType: string): Promise<Buffer> =>
  buildMessage({ text: 'see attached', attachments: [{ filename, content, contentType }] });
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const utf16be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();

interface Variant {
  readonly name: string;
  readonly build: () => Promise<Buffer>;
  /** Also sent through the gateway over SMTP: must be refused 550. */
  readonly smtp?: true;
}

const VARIANTS: readonly Variant[] = [
  // invisible format characters (Cf) inside the number
  { name: 'zero-width spaces between groups', build: () => buildMessage({ text: GROUPS.join('\u200b') }), smtp: true },
  { name: 'zero-width joiners between digits', build: () => buildMessage({ text: [...CARD_DIGITS].join('\u200d') }) },
  { name: 'zero-width non-joiners between digits', build: () => buildMessage({ text: [...CARD_DIGITS].join('\u200c') }) },
  { name: 'soft hyphens between groups (text)', build: () => buildMessage({ text: GROUPS.join('\u00ad') }) },
  { name: 'word joiners (U+2060) between digits', build: () => buildMessage({ text: [...CARD_DIGITS].join('\u2060') }) },
  { name: 'invisible times/separator (U+2062, U+2063) between groups', build: () => buildMessage({ text: GROUPS.join('\u2062\u2063') }) },
  { name: 'byte order marks (U+FEFF) between groups', build: () => buildMessage({ text: GROUPS.join('\ufeff') }) },
  { name: 'left-to-right and right-to-left marks between digits', build: () => buildMessage({ text: [...CARD_DIGITS].join('\u200e\u200f') }) },
  { name: 'bidi embedding/override controls (U+202A-U+202E) around groups', build: () => buildMessage({ text: GROUPS.map((g) => `\u202a\u202d${g}\u202c`).join(' ') }) },
  { name: 'bidi isolates (U+2066-U+2069) around groups', build: () => buildMessage({ text: GROUPS.map((g) => `\u2066${g}\u2069`).join('\u2068') }) },
  { name: 'Mongolian vowel separator (U+180E) between groups', build: () => buildMessage({ text: GROUPS.join('\u180e') }) },
  // default-ignorable letters: a browser draws nothing for them (Unicode's Default_Ignorable_Code_Point), though they are no format characters
  { name: 'Hangul fillers (U+3164, U+FFA0, U+115F, U+1160) between digits', build: () => buildMessage({ text: [...CARD_DIGITS].map((d, i) => `${d}${['\u3164', '\uffa0', '\u115f', '\u1160'][i % 4] as string}`).join('') }), smtp: true },
  { name: 'unassigned default-ignorable code points (U+2065, U+FFF0) between digits', build: () => buildMessage({ text: [...CARD_DIGITS].join('\u2065\ufff0') }) },
  { name: 'Braille pattern blank (U+2800, drawn as a blank) between groups', build: () => buildMessage({ text: GROUPS.join('\u2800') }) },
  { name: 'combining grapheme joiner (U+034F) after each digit', build: () => buildMessage({ text: [...CARD_DIGITS].map((d) => `${d}\u034f`).join('') }) },
  { name: 'a combining acute accent (U+0301, Mn) after every digit', build: () => buildMessage({ text: [...CARD_DIGITS].map((d) => `${d}\u0301`).join('') }), smtp: true },
  { name: 'two combining marks (U+0332 low line, U+0336 long stroke) after each digit of the groups', build: () => buildMessage({ text: GROUPS.map((g) => [...g].map((d) => `${d}\u0332\u0336`).join('')).join(' ') }) },
  { name: 'combining marks after full-width digits (mapped, then the marks dropped)', build: () => buildMessage({ text: [...digitsIn(0xff10, CARD_DIGITS)].map((d) => `${d}\u0300`).join('') }) },
  { name: 'keycap digits (digit, U+FE0F, U+20E3 enclosing keycap)', build: () => buildMessage({ text: [...CARD_DIGITS].map((d) => `${d}\ufe0f\u20e3`).join('') }) },
  { name: 'tag characters (U+E0020...) between groups', build: () => buildMessage({ text: GROUPS.join('\u{e0020}\u{e0041}') }) },
  { name: 'zero-width spaces in the Subject', build: () => buildMessage({ subject: `card ${GROUPS.join('\u200b')}`, text: 'see subject' }) },
  { name: 'zero-width spaces in an attached text file', build: () => attach('card.txt', `card ${[...CARD_DIGITS].join('\u200b')}`, 'text/plain') },
  // digits of other scripts (Unicode Nd), full-width and mathematical forms
  { name: 'full-width digits', build: () => buildMessage({ text: digitsIn(0xff10) }), smtp: true },
  { name: 'arabic-indic digits', build: () => buildMessage({ text: digitsIn(0x660) }) },
  { name: 'extended arabic-indic (Persian) digits', build: () => buildMessage({ text: digitsIn(0x6f0) }) },
  { name: 'devanagari digits', build: () => buildMessage({ text: digitsIn(0x966) }) },
  { name: 'bengali digits', build: () => buildMessage({ text: digitsIn(0x9e6) }) },
  { name: 'thai digits', build: () => buildMessage({ text: digitsIn(0xe50) }) },
  { name: 'mathematical bold digits (U+1D7CE)', build: () => buildMessage({ text: digitsIn(0x1d7ce) }) },
  { name: 'mathematical monospace digits (U+1D7F6, the last run)', build: () => buildMessage({ text: digitsIn(0x1d7f6) }) },
  { name: 'segmented digits (U+1FBF0)', build: () => buildMessage({ text: digitsIn(0x1fbf0) }) },
  { name: 'digits of mixed scripts, one group each', build: () => buildMessage({ text: [digitsIn(0x660, GROUPS[0]), digitsIn(0xff10, GROUPS[1]), digitsIn(0x966, GROUPS[2]), GROUPS[3]].join(' ') }) },
  { name: 'full-width digits with ideographic spaces', build: () => buildMessage({ text: digitsIn(0xff10).replace(/ /g, '\u3000') }) },
  { name: 'thin spaces (U+2009) between groups', build: () => buildMessage({ text: GROUPS.join('\u2009') }) },
  { name: 'arabic-indic digits with zero-width joiners', build: () => buildMessage({ text: [...digitsIn(0x660, CARD_DIGITS)].join('\u200d') }) },
  { name: 'full-width digits in an HTML body', build: () => html(`<p>card ${digitsIn(0xff10)}</p>`) },
  // HTML5 character references
  { name: 'html hex entities no semicolon', build: () => buildMessage({ html: `<p>${[...CARD].map((c) => `&#x${c.charCodeAt(0).toString(16)}`).join(' ')}</p>` }), smtp: true },
  { name: 'html decimal entities no semicolon, back to back', build: () => html(`<p>${[...CARD].map((c) => `&#${c.charCodeAt(0)}`).join('')}x</p>`) },
  { name: 'html hex entities with leading zeros', build: () => html(`<p>${[...CARD_DIGITS].map((c) => `&#x00000${c.charCodeAt(0).toString(16)};`).join('')}</p>`) },
  { name: 'html &nbsp without semicolon between groups', build: () => html(`<p>${GROUPS.join('&nbsp')}</p>`) },
  { name: 'html &#8203; (zero-width space) between groups', build: () => html(`<p>${GROUPS.join('&#8203;')}</p>`) },
  { name: 'html &shy between groups', build: () => html(`<p>${GROUPS.join('&shy')}</p>`) },
  { name: 'html full-width digits as &#xFF1x references', build: () => html(`<p>${[...CARD].map((c) => (c === ' ' ? ' ' : `&#x${(0xff10 + Number(c)).toString(16)}`)).join('')}</p>`) },
  { name: 'html hex entities no semicolon in an attribute', build: () => html(`<a title="${[...CARD_DIGITS].map((c) => `&#x${c.charCodeAt(0).toString(16)}`).join('')}">x</a>`) },
  // UTF-16BE
  { name: 'utf-16be text file with BOM', build: () => attach('card.txt', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(CARD_TEXT)]), 'text/plain'), smtp: true },
  { name: 'utf-16be text file no BOM', build: () => attach('card.dat', utf16be(CARD_TEXT), 'application/octet-stream') },
  { name: 'utf-16be run inside a binary at an odd offset', build: () => attach('x.bin', Buffer.concat([Buffer.from([1, 2, 3]), utf16be(CARD_TEXT), Buffer.from([4, 5])]), 'application/octet-stream') },
  { name: 'utf-16le text file with BOM', build: () => attach('card.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CARD_TEXT, 'utf16le')]), 'text/plain') },
  { name: 'ASCII text behind a fake UTF-16BE BOM', build: () => attach('card.dat', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(CARD_TEXT)]), 'application/octet-stream') },
  // data: URIs in HTML
  { name: 'html data: URI base64 link', build: () => buildMessage({ html: `<a href="data:text/plain;base64,${b64(CARD_TEXT)}">open</a>` }), smtp: true },
  { name: 'html data: URI img', build: () => buildMessage({ html: `<img src="data:text/html;base64,${b64(`<b>${CARD_TEXT}</b>`)}">` }) },
  { name: 'html data: URI percent-encoded', build: () => html(`<a href="data:text/plain,${encodeURIComponent(CARD_TEXT)}">x</a>`) },
  { name: 'html data: URI in srcset', build: () => html(`<img srcset="a.png 1x, data:image/svg+xml;base64,${b64(`<svg xmlns="http://www.w3.org/2000/svg"><text>${CARD}</text></svg>`)} 2x">`) },
  { name: 'html data: URI in a style url()', build: () => html(`<div style="background:url(data:text/plain;base64,${b64(CARD_TEXT)})">x</div>`) },
  { name: 'html data: URI in a <style> element', build: () => html(`<style>p { background: url('data:text/plain;base64,${b64(CARD_TEXT)}') }</style><p>x</p>`) },
  { name: 'html data: URI holding a zip', build: () => html(`<a href="data:application/zip;base64,${b64(zip([{ name: 'card.txt', data: CARD_TEXT }]))}">zip</a>`) },
  { name: 'html data: URI with a lying media type (image/png holding text)', build: () => html(`<img src="data:image/png;base64,${b64(CARD_TEXT)}">`) },
  { name: 'html data: URI inside an attached HTML file', build: () => attach('page.html', `<html><a href="data:text/plain;base64,${b64(CARD_TEXT)}">x</a></html>`, 'text/html') },
  {
    name: 'html data: URI in the HTML body of an attached .eml (declared application/octet-stream)',
    build: async () => attach('fwd.eml', await html(`<a href="data:text/plain;base64,${b64(CARD_TEXT)}">open</a>`), 'application/octet-stream'),
  },
];

const CARD_POLICY = `
version: 1
policies:
  - name: cards
    match: { creditCardNumber: { in: [subject, body, attachments, headers] } }
    action: { type: block }
`;

async function verdictFor(message: Buffer, set: PolicySet): Promise<Verdict> {
  const analysis = await analyzeMessage(message, DEFAULT_ANALYSIS_LIMITS);
  return evaluatePolicies(set, analysis, env, { deadline: performance.now() + 60_000 });
}

describe('text normalisation: a card a reader sees reaches the detector', () => {
  const cards = policySet(CARD_POLICY);
  for (const v of VARIANTS) {
    it(v.name, async () => {
      const verdict = await verdictFor(await v.build(), cards);
      expect(verdict.matches.map((m) => m.policy), JSON.stringify(verdict.matches)).toEqual(['cards']);
    });
  }

  it('a card hidden with zero-width spaces counts once (min: 2 does not match it)', async () => {
    const twice = policySet(CARD_POLICY.replace('{ in:', '{ min: 2, in:'));
    expect((await verdictFor(await buildMessage({ text: GROUPS.join('\u200b') }), twice)).matches).toEqual([]);
    const v = await verdictFor(await buildMessage({ text: `${GROUPS.join('\u200b')} and ${CARD}` }), twice);
    expect(v.matches[0]?.counts).toEqual({ creditCardNumber: 2 });
  });

  it('a card in full-width digits counts once, its sample redacted', async () => {
    const v = await verdictFor(await buildMessage({ text: digitsIn(0xff10) }), cards);
    expect(v.matches[0]?.counts).toEqual({ creditCardNumber: 1 });
    expect(v.matches[0]?.samples.join()).not.toContain(CARD_DIGITS);
    expect(v.matches[0]?.samples.join()).toMatch(/^4111\*+1111$/);
  });

  it('the incident subject masks a card spelled with zero-width spaces or full-width digits', async () => {
    for (const subject of [`card ${GROUPS.join('\u200b')}`, `card ${digitsIn(0xff10)}`, `card ${digitsIn(0x660)}`]) {
      const v = await verdictFor(await buildMessage({ subject, text: 'x' }), cards);
      const [incident] = incidentsFrom(v, env, { messageId: '<m@x>', subject });
      const digits = (incident?.subject ?? '').replace(/\D/g, '');
      expect(digits).not.toContain(CARD_DIGITS);
      expect(incident?.subject).toContain('*');
    }
  });

  it('control: text with zero-width and bidi characters but no number passes', async () => {
    const v = await verdictFor(await buildMessage({ text: 'hello\u200bworld \u202elatot\u202c, ‏שלום‎, كم الساعة؟ ⑴ ⑵ café\u00ad' }), cards);
    expect(v.matches).toEqual([]);
  });

  it('control: an order number in arabic-indic digits that fails Luhn passes', async () => {
    expect((await verdictFor(await buildMessage({ text: digitsIn(0x660, '4111 1111 1111 1112') }), cards)).matches).toEqual([]);
  });
});

describe('text normalisation reaches every detector', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-norm-'));
  const policyPath = join(dir, 'policies', 'all.policy.yaml');
  let all: PolicySet;
  beforeAll(async () => {
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'policies'));
    writeNewKey(join(dir, 'data', 'edm.key'));
    writeFileSync(join(dir, 'data', 'customers.csv'), 'email,iban,last_name\nalice@example.org,DE89 3704 0044 0532 0130 00,Smith\n');
    const built = await writeIndexFile({ csv: join(dir, 'data', 'customers.csv'), columns: ['email', 'iban', 'last_name'], keyFile: join(dir, 'data', 'edm.key'), out: join(dir, 'data', 'customers.edm') });
    if (!built.ok) throw new Error(built.error.message);
    const compiled = compileYaml(
      `version: 1
policies:
  - { name: ssn, match: { usSsn: {} }, action: { type: block } }
  - { name: iban, match: { iban: {} }, action: { type: block } }
  - { name: hetu, match: { identifier: { name: fi-hetu } }, action: { type: block } }
  - { name: confidential, match: { keywords: { words: [confidential] } }, action: { type: block } }
  - { name: project-code, match: { regex: { pattern: "PRJ-[0-9]{6}" } }, action: { type: block } }
  - { name: customers, match: { exactData: { index: ../data/customers.edm, columns: [email, iban], minColumns: 2 } }, action: { type: block } }
`,
      policyPath,
    );
    expect(compiled.diagnostics).toEqual([]);
    all = compiled.policySet;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const matched = async (text: string): Promise<string[]> => (await verdictFor(await buildMessage({ text }), all)).matches.map((m) => m.policy);

  it('usSsn: full-width digits and zero-width spaces', async () => {
    expect(await matched(`ssn ${digitsIn(0xff10, '123-45-6780')}`)).toEqual(['ssn']);
    expect(await matched('ssn 123\u200b-45-\u200b6780')).toEqual(['ssn']);
  });

  it('iban: zero-width joiners and full-width letters and digits', async () => {
    expect(await matched([...'DE89370400440532013000'].join('\u200d'))).toEqual(['iban']);
    expect(await matched('ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００')).toEqual(['iban']);
  });

  it('a catalogue identifier (fi-hetu) in devanagari digits', async () => {
    expect(await matched(`henkilötunnus ${digitsIn(0x966, '131052-308T')}`)).toEqual(['hetu']);
  });

  it("keywords: 'conf\\u200bidential' matches the keyword 'confidential', so does full-width", async () => {
    expect(await matched('this is conf\u200bidential')).toEqual(['confidential']);
    expect(await matched('this is ｃｏｎｆｉｄｅｎｔｉａｌ')).toEqual(['confidential']);
    expect(await matched('con\u00adfi\u00adden\u00adtial')).toEqual(['confidential']);
  });

  it('regex: a project code with a soft hyphen and arabic-indic digits', async () => {
    expect(await matched(`see PRJ-\u00ad${digitsIn(0x660, '123456')}`)).toEqual(['project-code']);
  });

  it('exactData: a customer record with a zero-width IBAN and e-mail address', async () => {
    expect(await matched(`alice@\u200bexample.org ${[...'DE89 3704 0044 0532 0130 00'].join('\u2060')}`)).toEqual(['iban', 'customers']);
  });

  it('control: the same texts without the values pass', async () => {
    expect(await matched('this is con\u200bfidentially not a secret; PRJ-\u00ad١٢٣ ; ssn ？')).toEqual([]);
  });
});

const cardPolicy = {
  version: 1,
  policies: [{ name: 'block-cards', severity: 'high', mode: 'enforce', match: { creditCardNumber: { min: 1, in: ['subject', 'body', 'attachments', 'headers'] } }, action: { type: 'block', reply: '550 5.7.1 card numbers may not leave (normalisation suite)' } }],
} as PolicyFile;

describe('text normalisation over SMTP: a gateway with a card-number block policy refuses each variant', () => {
  const peers = useGatewayWithMta({ policies: { cards: cardPolicy } });

  const send = (message: Buffer): Promise<number> => sendMessage(peers.gw.port, message, 'normalise');

  for (const v of VARIANTS.filter((x) => x.smtp === true)) {
    it(`${v.name}: 550, nothing delivered`, async () => {
      const before = peers.mx.messages.length;
      expect(await send(await v.build())).toBe(550);
      expect(peers.mx.messages.length).toBe(before);
    });
  }

  it('control: a text with zero-width characters, full-width digits and a data: image but no card is delivered', async () => {
    const before = peers.mx.messages.length;
    const msg = await buildMessage({ text: 'hello\u200bworld, order ４２, ٣ items', html: `<p>hi&#x20&amp;bye</p><img src="data:image/png;base64,${b64(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))}">` });
    expect(await send(msg)).toBe(250);
    await peers.mx.waitForMessages(before + 1);
  });
});

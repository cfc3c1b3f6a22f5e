import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatReply, isPermanent, isPositive, isTransient, parseReplyLines, replies, replyText } from './reply.js';
import { ReplyParser, ReplySyntaxError } from './relay/reply-parser.js';
import type { SmtpReply } from './reply.js';

describe('formatReply', () => {
  it.each<[SmtpReply, string]>([
    [{ code: 250, lines: ['ok'] }, '250 ok\r\n'],
    [{ code: 250, enhanced: '2.0.0', lines: ['queued as ABC'] }, '250 2.0.0 queued as ABC\r\n'],
    [{ code: 250, lines: ['mx.example.test', 'PIPELINING', 'SIZE 10'] }, '250-mx.example.test\r\n250-PIPELINING\r\n250 SIZE 10\r\n'],
    [{ code: 550, enhanced: '5.1.1', lines: ['no', 'such user'] }, '550-5.1.1 no\r\n550 5.1.1 such user\r\n'],
    [{ code: 354, lines: [] }, '354\r\n'],
  ])('formats %j', (r, wire) => {
    expect(formatReply(r)).toBe(wire);
  });

  it('cannot be split by line breaks inside a text', () => {
    expect(formatReply({ code: 550, lines: ['a\r\n250 injected'] })).toBe('550 a  250 injected\r\n');
  });
});

describe('parseReplyLines', () => {
  it('strips the enhanced code from every line that repeats it', () => {
    expect(parseReplyLines(['550-5.1.1 no', '550 5.1.1 such user'])).toEqual({ code: 550, enhanced: '5.1.1', lines: ['no', 'such user'] });
  });

  it('ignores an enhanced-looking code of the wrong class', () => {
    expect(parseReplyLines(['250 5.0.0 odd'])).toEqual({ code: 250, lines: ['5.0.0 odd'] });
  });

  it('rejects mixed codes and garbage', () => {
    expect(parseReplyLines(['250-a', '251 b'])).toBeUndefined();
    expect(parseReplyLines(['hello'])).toBeUndefined();
    expect(parseReplyLines(['250ok'])).toBeUndefined();
  });

  it('round-trips formatReply', () => {
    const text = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/);
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), fc.option(fc.constantFrom('x.0.0', 'x.1.1', 'x.7.1')), fc.array(text, { minLength: 1, maxLength: 4 }), (code, enh, lines) => {
        const enhanced = enh === null || code >= 300 && code < 400 ? undefined : enh.replace('x', String(code)[0] ?? '2');
        const r: SmtpReply = enhanced === undefined ? { code, lines } : { code, enhanced, lines };
        const wire = formatReply(r).split('\r\n').slice(0, -1);
        const back = parseReplyLines(wire);
        // Without an enhanced code, a text that itself starts with one is read as one: compare the wire form.
        expect(back === undefined ? undefined : formatReply(back)).toBe(formatReply(r));
      }),
    );
  });
});

describe('ReplyParser', () => {
  const wire = Buffer.from('220 mx ready\r\n250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n250 2.1.0 ok\r\n550 5.1.1 no\r\n');

  it('yields the same replies for any chunking', () => {
    const whole = new ReplyParser().push(wire);
    expect(whole.map((r) => r.code)).toEqual([220, 250, 250, 550]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 10 }), (cuts) => {
        const parser = new ReplyParser();
        const out: SmtpReply[] = [];
        let from = 0;
        for (const c of [...new Set(cuts)].sort((a, b) => a - b)) {
          out.push(...parser.push(wire.subarray(from, c)));
          from = c;
        }
        out.push(...parser.push(wire.subarray(from)));
        expect(out).toEqual(whole);
        expect(parser.hasPartial).toBe(false);
      }),
    );
  });

  it('accepts bare LF and reports a partial reply', () => {
    const parser = new ReplyParser();
    expect(parser.push(Buffer.from('250-a\n'))).toEqual([]);
    expect(parser.hasPartial).toBe(true);
    expect(parser.push(Buffer.from('250 b\n'))).toEqual([{ code: 250, lines: ['a', 'b'] }]);
  });

  it('throws on garbage and on a code change inside a reply', () => {
    expect(() => new ReplyParser().push(Buffer.from('HTTP/1.1 400 Bad\r\n'))).toThrow(ReplySyntaxError);
    expect(() => new ReplyParser().push(Buffer.from('250-a\r\n550 b\r\n'))).toThrow(/multi-line/);
  });
});

describe('gateway replies', () => {
  it('carry the documented codes and name their cause', () => {
    expect(replies.unreachable('mx:25 refused')).toMatchObject({ code: 421, enhanced: '4.4.1' });
    expect(replies.connectionLost('reset')).toMatchObject({ code: 421, enhanced: '4.4.2' });
    expect(replies.internalError('bug')).toMatchObject({ code: 451, enhanced: '4.3.0' });
    expect(formatReply(replies.tlsRequired())).toBe('530 5.7.0 Must issue a STARTTLS command first\r\n');
    expect(replies.mixedRoutes()).toMatchObject({ code: 452, enhanced: '4.5.3' });
    expect(replies.tooBig(1000)).toMatchObject({ code: 552, enhanced: '5.3.4' });
    expect(replies.notAllowed('x@example.test')).toMatchObject({ code: 554, enhanced: '5.7.1' });
    expect(replies.tempfail('scan timeout')).toMatchObject({ code: 451, enhanced: '4.7.1' });
    expect(replyText(replies.unreachable('mx:25 refused'))).toContain('mx:25 refused');
  });

  it('classifies replies', () => {
    expect([isPositive, isTransient, isPermanent].map((f) => f({ code: 354, lines: [] }))).toEqual([true, false, false]);
    expect([isPositive, isTransient, isPermanent].map((f) => f({ code: 421, lines: [] }))).toEqual([false, true, false]);
    expect([isPositive, isTransient, isPermanent].map((f) => f({ code: 554, lines: [] }))).toEqual([false, false, true]);
  });
});

// Fingerprints of the smtp-server internals the engine relies on. When one fails after an upgrade,
// re-check engine/smtp/inbound/inbound-server.ts (startSession, installReplyOverride) and
// engine/smtp/generation-engine.ts (#bind: _resetSession hook; one server per TLS profile and xclient setting,
// whose disabledCommands list the upstream's forbidden commands) and
// engine/smtp/inbound/data-feed.ts (a copy of SMTPStream._feedDataStream with a faster scan).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { wireLines } from './inbound-server.js';
import { reply } from '../reply.js';

const HINT = 'smtp-server internals changed: re-check engine/smtp/inbound/inbound-server.ts and engine/smtp/generation-engine.ts';

type Proto = Record<string, unknown>;
const proto = SMTPConnection.prototype as unknown as Proto;

function source(name: string): string {
  const fn = proto[name];
  expect(typeof fn, `${HINT}: SMTPConnection.prototype.${name} is gone`).toBe('function');
  return String(fn);
}

describe('smtp-server fingerprint', () => {
  it('init still waits a fixed 100 ms before connectionReady (what startSession skips)', () => {
    const init = source('init');
    expect(init, HINT).toContain('this._setListeners(');
    expect(init, HINT).toMatch(/setTimeout\(\(\) => this\.connectionReady\(\), 100\)/);
    source('connectionReady');
  });

  it('send writes through one place and closes after 421 (what installReplyOverride wraps)', () => {
    const send = source('send');
    expect(send, HINT).toContain('Array.isArray(data)');
    expect(send, HINT).toMatch(/if \(code === 421\)\s*\{\s*\/\/[^\n]*\n\s*this\.close\(\)/);
    expect(send, HINT).toContain('this._upgrading');
  });

  it('MAIL, RCPT and DATA answer through send right after the application callback', () => {
    expect(source('handler_MAIL'), HINT).toMatch(/onMailFrom\(parsed, this\.session, \(err\) => \{\s*if \(err\) \{\s*this\.send\(err\.responseCode \|\| 550, err\.message\)/);
    expect(source('handler_RCPT'), HINT).toMatch(/onRcptTo\(parsed, this\.session, \(err\) => \{\s*if \(err\) \{\s*this\.send\(err\.responseCode \|\| 550, err\.message\)/);
    const data = source('handler_DATA');
    expect(data, HINT).toContain("this.send(err.responseCode || 450, err.message)");
    expect(data, HINT).toContain("this.send(250, typeof message === 'string' ? message : 'OK: message queued', 'DATA_OK')");
  });

  it('RSET and friends reset through _resetSession, which the engine hooks', () => {
    source('_resetSession');
    expect(source('handler_RSET'), HINT).toContain('this._resetSession()');
    expect(source('handler_EHLO'), HINT).toContain('this._resetSession()');
  });

  it('the server-wide disabledCommands decide which commands a session may use (STARTTLS/XCLIENT per upstream)', () => {
    expect(source('_isDisabled'), HINT).toContain('this._server.options.disabledCommands.includes(command)');
    expect(source('_isSupported'), HINT).toContain('!this._isDisabled(command)');
    expect(source('_proxyCommandAllowed'), HINT).toContain('this._isSupported(command)');
  });

  it('onSecure refusals go through _refuse, and closing calls onClose', () => {
    expect(source('upgrade'), HINT).toContain('this._refuse(err)');
    expect(source('_refuse'), HINT).toContain('this.send(err.responseCode || 554, err.message');
    expect(source('_onClose'), HINT).toContain('this._server.onClose(');
  });
});

describe('smtp-server data parser fingerprint', () => {
  it('SMTPStream._feedDataStream is the 3.21.x code data-feed.ts copies (any change: re-port it)', () => {
    const feed = String(SMTPStream.prototype._feedDataStream);
    expect(createHash('sha256').update(feed).digest('hex'), `${HINT}: SMTPStream._feedDataStream changed, re-port engine/smtp/inbound/data-feed.ts`).toBe(
      '9d8b903f9a3a63542d72e19a9e2f67009a3b1107a28d57e8e7369355454ff230',
    );
  });

  it('connections build their parsers in _createParser (what installDataFeed wraps)', () => {
    expect(source('_createParser'), HINT).toContain('new SMTPStream(');
    expect(source('upgrade'), HINT).toContain('this._parser = this._createParser()');
  });
});

describe('wireLines', () => {
  it('repeats the enhanced code on every line', () => {
    expect(wireLines(reply(550, '5.1.1', 'no such user', 'really'))).toEqual(['5.1.1 no such user', '5.1.1 really']);
    expect(wireLines(reply(250, undefined, 'OK'))).toEqual(['OK']);
  });
});

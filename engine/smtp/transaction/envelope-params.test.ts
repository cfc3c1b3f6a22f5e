import { describe, expect, it } from 'vitest';
import { parseCapabilities } from '../relay/relay-capabilities.js';
import { reply } from '../reply.js';
import { domainOf, encodeXtext, mailParams, rcptParams, wireAddress } from './envelope-params.js';

const caps = (...ext: string[]) => parseCapabilities(reply(250, undefined, 'mx.example.test', ...ext));

describe('envelope parameters', () => {
  it('encodes xtext', () => {
    expect(encodeXtext('a+b=c d')).toBe('a+2Bb+3Dc+20d');
    expect(encodeXtext('plain')).toBe('plain');
  });

  it('passes MAIL parameters the receiver supports and drops the rest', () => {
    const args = { BODY: '8BITMIME', SMTPUTF8: true as const, SIZE: '1234', RET: 'hdrs', ENVID: 'x+y' };
    expect(mailParams(args, caps('8BITMIME', 'SMTPUTF8', 'SIZE 1000000', 'DSN'))).toEqual(['BODY=8BITMIME', 'SMTPUTF8', 'SIZE=1234', 'RET=HDRS', 'ENVID=x+2By']);
    expect(mailParams(args, caps())).toEqual([]);
    expect(mailParams(false, caps('DSN'))).toEqual([]);
  });

  it('passes NOTIFY/ORCPT only with DSN', () => {
    const args = { NOTIFY: 'success,failure', ORCPT: 'rfc822;b+c@example.org' };
    expect(rcptParams(args, caps('DSN'))).toEqual(['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;b+2Bc@example.org']);
    expect(rcptParams(args, caps('PIPELINING'))).toEqual([]);
  });

  it('sends IDN domains as A-labels and leaves local parts alone', () => {
    expect(wireAddress('bob@bücher.example')).toBe('bob@xn--bcher-kva.example');
    expect(wireAddress('jöe@example.org')).toBe('jöe@example.org');
    expect(wireAddress('')).toBe('');
    expect(domainOf('A@Example.ORG')).toBe('example.org');
  });
});

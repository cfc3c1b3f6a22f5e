import { describe, expect, it } from 'vitest';
import { formatReceived } from './trace-headers.js';

const facts = { hostname: 'GW.example.test', transactionId: 'T1', helo: 'mta.corp.example', protocol: 'ESMTP', receiver: 'mx-1', recipients: ['b@example.org'], date: new Date(Date.UTC(2026, 10, 29, 9, 0, 0)) };
const fromLine = (clientHostname: string, clientAddress: string): string => formatReceived({ ...facts, clientHostname, clientAddress }).split('\r\n')[0] ?? '';

describe('Received header TCP-info (RFC 5321 §4.4)', () => {
  it('names the client once: "name [address]", or the address literal alone', () => {
    expect(fromLine('relay.corp.example', '192.0.2.7')).toBe('Received: from mta.corp.example (relay.corp.example [192.0.2.7])');
    // smtp-server without reverse lookups reports the name as "[address]": never "([a] [a])"
    expect(fromLine('[127.0.0.1]', '127.0.0.1')).toBe('Received: from mta.corp.example ([127.0.0.1])');
    expect(fromLine('unknown', '::ffff:127.0.0.1')).toBe('Received: from mta.corp.example ([127.0.0.1])');
    expect(fromLine('[::1]', '::1')).toBe('Received: from mta.corp.example ([IPv6:::1])');
  });

  it('keeps peer-supplied values to one harmless token', () => {
    expect(fromLine('evil (x)\r\nX-Injected: 1', '127.0.0.1')).toBe('Received: from mta.corp.example (evilxX-Injected:1 [127.0.0.1])');
  });
});

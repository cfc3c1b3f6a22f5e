// Receiving-leg faults: whatever goes wrong between the gateway and the receiving MTA, the upstream
// never gets 250 for a message that was not delivered, a failure of the leg is a 4xx (a 5xx only when
// the receiving MTA itself said 5xx), the cause is in the transaction record, and nothing leaks.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSender, assertAccounting, newTestId, testMessage } from '../helpers/accounting.js';
import { freePort } from '../helpers/ports.js';
import { selfSignedCertificate } from '../helpers/recording-mta.js';
import { Cleanup, expectFdsBackTo, expectNoSessions, openFds } from './leaks.js';
import { startScriptedReceiver } from './scripted-receiver.js';
import { RECIPIENT, SENDER, startReliabilityGateway, warmUp } from './setup.js';
import type { SendOutcome, SendStep, SentMessage } from '../helpers/accounting.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { Fault, Phase, ScriptedReceiverOptions } from './scripted-receiver.js';
import type { TestKeyPair } from '../helpers/recording-mta.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

let receiverCert: TestKeyPair;
beforeAll(async () => {
  receiverCert = selfSignedCertificate('mx.example.test');
  await warmUp();
});

interface FaultCase {
  readonly name: string;
  readonly phase: Phase;
  readonly fault: Fault;
  readonly tls?: boolean;
  readonly outcome: SendOutcome;
  /** Where the sender hears about it. */
  readonly step: SendStep;
  /** The reply the sender gets (code and text), as a pattern. */
  readonly reply: RegExp;
  /** Whether the receiving MTA ends up with the message. */
  readonly delivered: boolean;
  /**
   * The transaction record's reply when it differs from the sender's: a refused MAIL/RCPT leaves the
   * transaction open (the upstream may try more recipients), so it ends when the sender hangs up.
   */
  readonly record?: RegExp;
  /** Message size; an early reply is only distinguishable while the gateway is still writing the body. */
  readonly bytes?: number;
}

const reply = (line: string): Fault => ({ kind: 'reply', line });
const hang: Fault = { kind: 'hang' };
const drop: Fault = { kind: 'drop' };

const CASES: readonly FaultCase[] = [
  { name: 'no banner (hang before 220)', phase: 'banner', fault: hang, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 .*RG_RELAY_/, delivered: false },
  { name: '554 banner', phase: 'banner', fault: reply('554 5.3.2 go away'), outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 .*554/, delivered: false },
  { name: 'connection dropped at the banner', phase: 'banner', fault: drop, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 /, delivered: false },
  { name: 'hang at EHLO', phase: 'ehlo', fault: hang, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 .*RG_RELAY_/, delivered: false },
  { name: '421 at EHLO', phase: 'ehlo', fault: reply('421 4.3.2 shutting down'), outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 /, delivered: false },
  { name: '451 at MAIL', phase: 'mail', fault: reply('451 4.3.0 sender check deferred'), outcome: 'tempfail', step: 'rcpt', reply: /^451 4\.3\.0 sender check deferred/, delivered: false, record: /connection closed by the upstream/ },
  { name: '550 at MAIL', phase: 'mail', fault: reply('550 5.7.1 sender refused'), outcome: 'permfail', step: 'rcpt', reply: /^550 5\.7\.1 sender refused/, delivered: false, record: /connection closed by the upstream/ },
  { name: 'hang at MAIL', phase: 'mail', fault: hang, outcome: 'tempfail', step: 'rcpt', reply: /^4\d\d 4\.4\.\d .*RG_RELAY_TIMEOUT/, delivered: false },
  { name: 'drop at MAIL', phase: 'mail', fault: drop, outcome: 'tempfail', step: 'rcpt', reply: /^4\d\d 4\.4\.\d .*RG_RELAY_CONNECTION_LOST/, delivered: false },
  { name: '450 at RCPT', phase: 'rcpt', fault: reply('450 4.2.1 mailbox busy'), outcome: 'tempfail', step: 'rcpt', reply: /^450 4\.2\.1 mailbox busy/, delivered: false, record: /connection closed by the upstream/ },
  { name: '550 at RCPT', phase: 'rcpt', fault: reply('550 5.1.1 no such user'), outcome: 'permfail', step: 'rcpt', reply: /^550 5\.1\.1 no such user/, delivered: false, record: /connection closed by the upstream/ },
  { name: 'hang at RCPT', phase: 'rcpt', fault: hang, outcome: 'tempfail', step: 'rcpt', reply: /^4\d\d 4\.4\.\d .*RG_RELAY_TIMEOUT/, delivered: false },
  { name: '451 at DATA', phase: 'data', fault: reply('451 4.3.0 no DATA now'), outcome: 'tempfail', step: 'end-of-data', reply: /^451 4\.3\.0 no DATA now/, delivered: false },
  { name: '554 at DATA', phase: 'data', fault: reply('554 5.5.1 no valid recipients'), outcome: 'permfail', step: 'end-of-data', reply: /^554 5\.5\.1 no valid recipients/, delivered: false },
  { name: 'hang at DATA', phase: 'data', fault: hang, outcome: 'tempfail', step: 'end-of-data', reply: /^421 4\.4\.2 .*RG_RELAY_TIMEOUT/, delivered: false },
  { name: 'connection dropped mid-DATA', phase: 'body', fault: drop, outcome: 'tempfail', step: 'end-of-data', reply: /^421 4\.4\.2 /, delivered: false },
  { name: '452 at the final dot', phase: 'dot', fault: reply('452 4.3.1 insufficient storage'), outcome: 'tempfail', step: 'end-of-data', reply: /^452 4\.3\.1 insufficient storage/, delivered: false },
  { name: '554 at the final dot', phase: 'dot', fault: reply('554 5.7.1 content rejected'), outcome: 'permfail', step: 'end-of-data', reply: /^554 5\.7\.1 content rejected/, delivered: false },
  { name: 'hang at the final dot', phase: 'dot', fault: hang, outcome: 'tempfail', step: 'end-of-data', reply: /^421 4\.4\.2 .*RG_RELAY_TIMEOUT/, delivered: false },
  // The receiving MTA may have queued it: the sender must not see 250, and will retry (possible duplicate).
  { name: 'connection dropped right after the final dot', phase: 'dot', fault: drop, outcome: 'tempfail', step: 'end-of-data', reply: /^421 4\.4\.2 .*RG_RELAY_CONNECTION_LOST/, delivered: true },
  { name: '250 before the end of the message (early positive reply)', phase: 'body', fault: reply('250 2.0.0 early'), outcome: 'tempfail', step: 'end-of-data', reply: /^4\d\d 4\.\d\.\d .*RG_RELAY_PROTOCOL/, delivered: false, bytes: 8_000_000 },
  { name: '552 before the end of the message (early refusal)', phase: 'body', fault: reply('552 5.3.4 too big'), outcome: 'permfail', step: 'end-of-data', reply: /^552 5\.3\.4 too big/, delivered: false, bytes: 8_000_000 },
  { name: 'not an SMTP reply to MAIL', phase: 'mail', fault: reply('HELLO THERE'), outcome: 'tempfail', step: 'rcpt', reply: /^4\d\d 4\.\d\.\d .*RG_RELAY_PROTOCOL/, delivered: false },
  { name: 'a 200,000-byte reply line to RCPT', phase: 'rcpt', fault: reply(`250 ${'x'.repeat(200_000)}`), outcome: 'tempfail', step: 'rcpt', reply: /^4\d\d 4\.\d\.\d .*RG_RELAY_PROTOCOL/, delivered: false },
  { name: 'hang at STARTTLS (no 220)', phase: 'starttls', fault: hang, tls: true, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 .*RG_RELAY_TIMEOUT/, delivered: false },
  { name: 'TLS handshake stalls after 220 (no ServerHello)', phase: 'starttls', fault: { kind: 'tls-stall' }, tls: true, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 .*RG_RELAY_/, delivered: false },
  { name: 'TLS handshake reset after 220', phase: 'starttls', fault: drop, tls: true, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 /, delivered: false },
  { name: 'garbage instead of a TLS ServerHello', phase: 'starttls', fault: { kind: 'tls-garbage' }, tls: true, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 .*RG_RELAY_TLS_HANDSHAKE/, delivered: false },
  { name: 'reply injected in clear after the STARTTLS 220', phase: 'starttls', fault: { kind: 'inject', bytes: '250 injected\r\n' }, tls: true, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 .*RG_RELAY_PROTOCOL/, delivered: false },
  { name: '454 to STARTTLS when TLS is required', phase: 'starttls', fault: reply('454 4.7.0 TLS not available'), tls: true, outcome: 'tempfail', step: 'rcpt', reply: /^421 4\.4\.1 .*RG_RELAY_STARTTLS_REJECTED/, delivered: false },
];

async function sendOne(gw: GatewayHarness, bytes?: number): Promise<{ sender: RecordingSender; result: SentMessage }> {
  const sender = new RecordingSender({ port: gw.port });
  const id = newTestId('fault');
  const result = await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(id, bytes === undefined ? {} : { padTo: bytes }));
  await sender.close();
  return { sender, result };
}

async function withReceiver(opts: ScriptedReceiverOptions, tls: boolean) {
  const rx = await startScriptedReceiver(opts);
  cleanup.add(() => rx.close());
  // The scripted receiver's certificate is self-signed: these tests are about faults, not trust.
  const gw = await startReliabilityGateway({
    receiverPort: rx.port,
    starttls: tls ? 'required' : 'disabled',
    edit: (t) => ({ ...t, gateway: { ...t.gateway, tls: { ...t.gateway.tls, authenticate: false } } }),
  });
  cleanup.add(() => gw.close());
  return { rx, gw };
}

describe('receiving-leg faults', () => {
  for (const c of CASES) {
    it(`${c.name}: sender gets ${c.outcome} at ${c.step}, ${c.delivered ? 'possible duplicate counted' : 'nothing delivered'}, no leaks`, async () => {
      const fds = openFds();
      const { rx, gw } = await withReceiver({ faults: { [c.phase]: c.fault }, ...(c.tls === true ? { tls: receiverCert } : {}) }, c.tls === true);
      const { sender, result } = await sendOne(gw, c.bytes);
      expect(result.detail).toMatch(c.reply);
      expect({ outcome: result.outcome, step: result.step }).toEqual({ outcome: c.outcome, step: c.step });
      // Only a receiver that drops the connection after it got the dot leaves the RFC 1047 window open.
      const report = assertAccounting(sender.sent, rx.delivered, c.delivered ? { allowPossibleDuplicates: 'the receiving MTA dropped the connection right after the final dot' } : {});
      expect(report.afterTempfail.length).toBe(c.delivered ? 1 : 0);
      await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'transaction record');
      const record = gw.observer.transactions[0];
      expect(record?.outcome).not.toBe('delivered');
      expect(record?.reply).toMatch(c.record ?? c.reply);
      await expectNoSessions(gw);
      await cleanup.run();
      await expectFdsBackTo(fds);
    });
  }

  it('connection refused by the receiving MTA: 421 4.4.1 naming the cause, no leaks', async () => {
    const fds = openFds();
    const port = await freePort();
    const gw = await startReliabilityGateway({ receiverPort: port });
    cleanup.add(() => gw.close());
    const { sender, result } = await sendOne(gw);
    expect(result).toMatchObject({ outcome: 'tempfail', step: 'rcpt' });
    expect(result.detail).toMatch(/^421 4\.4\.1 .*RG_RELAY_CONNECT_REFUSED/);
    assertAccounting(sender.sent, []);
    expect(gw.observer.relayErrors).toContainEqual({ receiver: 'mx-1', kind: 'RG_RELAY_CONNECT_REFUSED' });
    await expectNoSessions(gw);
    await cleanup.run();
    await expectFdsBackTo(fds);
  });

  it('slow replies within the limits at every phase: delivered once, 250 with the receiver queue id', async () => {
    const fds = openFds();
    const slow: Fault = { kind: 'delay', ms: 150 };
    const faults = { banner: slow, ehlo: slow, mail: slow, rcpt: slow, data: slow, dot: slow };
    const { rx, gw } = await withReceiver({ faults }, false);
    const { sender, result } = await sendOne(gw);
    expect(result.outcome).toBe('accepted');
    expect(result.detail).toMatch(/^250 2\.0\.0 queued as SCRIPTED1/);
    const report = assertAccounting(sender.sent, rx.delivered);
    expect(report.delivered).toBe(1);
    await expectNoSessions(gw);
    await cleanup.run();
    await expectFdsBackTo(fds);
  });

  it('a 451 at the final dot, then a second message on the same upstream session: first tempfailed, second delivered once', async () => {
    const fds = openFds();
    const { rx, gw } = await withReceiver({ faults: { dot: reply('451 4.3.0 try again') }, once: true }, false);
    const sender = new RecordingSender({ port: gw.port, messagesPerConnection: 5 });
    const first = await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(newTestId('seq')));
    const second = await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(newTestId('seq')));
    await sender.close();
    expect([first.outcome, second.outcome]).toEqual(['tempfail', 'accepted']);
    const report = assertAccounting(sender.sent, rx.delivered);
    expect(report.delivered).toBe(1);
    await expectNoSessions(gw);
    await cleanup.run();
    await expectFdsBackTo(fds);
  });
});

describe('receiving-leg faults in reflect mode (the leg opens at MAIL)', () => {
  const REFLECT: readonly (Pick<FaultCase, 'name' | 'outcome' | 'step' | 'reply' | 'delivered'> & { readonly faults: Partial<Record<Phase, Fault>> })[] = [
    { name: 'no banner', faults: { banner: hang }, outcome: 'tempfail', step: 'mail', reply: /^421 4\.4\.1 .*RG_RELAY_/, delivered: false },
    { name: '451 at MAIL passed through', faults: { mail: reply('451 4.3.0 not now') }, outcome: 'tempfail', step: 'mail', reply: /^451 4\.3\.0 not now/, delivered: false },
    { name: 'hang at the final dot', faults: { dot: hang }, outcome: 'tempfail', step: 'end-of-data', reply: /^421 4\.4\.2 .*RG_RELAY_TIMEOUT/, delivered: false },
    { name: 'connection dropped right after the final dot', faults: { dot: drop }, outcome: 'tempfail', step: 'end-of-data', reply: /^421 4\.4\.2 /, delivered: true },
  ];
  for (const c of REFLECT) {
    it(`${c.name}: sender gets ${c.outcome} at ${c.step}, ${c.delivered ? 'possible duplicate counted' : 'nothing delivered'}, no leaks`, async () => {
      const fds = openFds();
      const rx = await startScriptedReceiver({ faults: c.faults });
      cleanup.add(() => rx.close());
      const gw = await startReliabilityGateway({
        receiverPort: rx.port,
        edit: (t) => ({ ...t, upstreams: [{ ...t.upstreams[0], mode: 'reflect', reflect: { port: rx.port, tls: { starttls: 'disabled' } } }] }),
      });
      cleanup.add(() => gw.close());
      const { sender, result } = await sendOne(gw);
      expect(result.detail).toMatch(c.reply);
      expect({ outcome: result.outcome, step: result.step }).toEqual({ outcome: c.outcome, step: c.step });
      // Only a receiver that drops the connection after it got the dot leaves the RFC 1047 window open.
      const report = assertAccounting(sender.sent, rx.delivered, c.delivered ? { allowPossibleDuplicates: 'the receiving MTA dropped the connection right after the final dot' } : {});
      expect(report.afterTempfail.length).toBe(c.delivered ? 1 : 0);
      await expectNoSessions(gw);
      await cleanup.run();
      await expectFdsBackTo(fds);
    });
  }
});

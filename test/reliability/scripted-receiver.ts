// A receiving MTA that speaks just enough SMTP to deliver, with a fault injectable at every phase:
// a substituted reply, a hang (never answer), a drop (close without a reply), a delay before the normal
// reply, or a broken TLS handshake. Built on the recording MTA's scripted peer, so every byte is ours.
import { startScriptedMta } from '../helpers/recording-mta.js';
import type { ScriptedMta, ScriptedPeer, TestKeyPair } from '../helpers/recording-mta.js';
import type { DeliveredMessage } from '../helpers/accounting.js';

export type Phase = 'banner' | 'ehlo' | 'starttls' | 'mail' | 'rcpt' | 'data' | 'body' | 'dot';

export type Fault =
  | { readonly kind: 'reply'; readonly line: string }
  | { readonly kind: 'hang' }
  /** Close with a TCP reset, no reply. At `body`: after the first line of the message arrived. At `dot`: after the whole message arrived. */
  | { readonly kind: 'drop' }
  | { readonly kind: 'delay'; readonly ms: number }
  /** STARTTLS only: 220, then bytes that are not a TLS ServerHello. */
  | { readonly kind: 'tls-garbage' }
  /** STARTTLS only: 220, then silence: the handshake never gets a ServerHello. */
  | { readonly kind: 'tls-stall' }
  /** STARTTLS only: 220 followed at once by a forged reply in clear (STARTTLS injection). */
  | { readonly kind: 'inject'; readonly bytes: string };

export interface ScriptedReceiverOptions {
  readonly faults?: Partial<Record<Phase, Fault>>;
  /** Offer STARTTLS with this key pair. */
  readonly tls?: TestKeyPair;
  /** Record a message whose connection dropped right after its final dot (it may have been queued). Default true. */
  readonly dropAfterDotDelivers?: boolean;
  /** Each fault fires only at its first occurrence; later ones behave normally. */
  readonly once?: boolean;
}

type Faults = (phase: Phase) => Fault | undefined;

export interface ScriptedReceiver {
  readonly port: number;
  readonly mta: ScriptedMta;
  /** Messages this MTA accepted (or may have queued: see dropAfterDotDelivers), dot-stuffing removed. */
  readonly delivered: DeliveredMessage[];
  /** Raw DATA bytes as they arrived on the wire (still dot-stuffed), one entry per message. */
  readonly wire: Buffer[];
  close(): Promise<void>;
}

/** Undoes dot-stuffing of DATA bytes (a leading dot removed from every line that starts with one). */
export function unstuff(data: Buffer): Buffer {
  const text = data.toString('latin1');
  return Buffer.from(text.replace(/(^|\r\n)\./g, '$1'), 'latin1');
}

export async function startScriptedReceiver(opts: ScriptedReceiverOptions = {}): Promise<ScriptedReceiver> {
  const delivered: DeliveredMessage[] = [];
  const wire: Buffer[] = [];
  const fired = new Set<Phase>();
  const faults: Faults = (phase) => {
    if (opts.once === true && fired.has(phase)) return undefined;
    const f = opts.faults?.[phase];
    if (f !== undefined) fired.add(phase);
    return f;
  };
  const mta = await startScriptedMta((peer) => converse(peer, opts, faults, delivered, wire));
  return { port: mta.port, mta, delivered, wire, close: () => mta.close() };
}

/** Applies the fault of a phase. Returns 'answer' to send `normal`, 'done' when the session is over. */
async function at(peer: ScriptedPeer, fault: Fault | undefined, normal: string): Promise<'done' | 'sent'> {
  switch (fault?.kind) {
    case undefined:
      peer.send(normal);
      return 'sent';
    case 'reply':
      peer.send(`${fault.line}\r\n`);
      return 'sent';
    case 'hang':
      await peer.closed;
      return 'done';
    case 'drop':
      peer.socket.resetAndDestroy();
      return 'done';
    case 'delay':
      await new Promise((r) => setTimeout(r, fault.ms));
      peer.send(normal);
      return 'sent';
    case 'tls-garbage':
    case 'tls-stall':
    case 'inject':
      peer.send(normal);
      return 'sent';
    default: {
      const never: never = fault;
      return never;
    }
  }
}

async function converse(peer: ScriptedPeer, opts: ScriptedReceiverOptions, f: Faults, delivered: DeliveredMessage[], wire: Buffer[]): Promise<void> {
  if ((await at(peer, f('banner'), '220 scripted.example.test ESMTP\r\n')) === 'done') return;
  let inMail = false;
  for (;;) {
    let line: string;
    try {
      line = await peer.readLine();
    } catch {
      return; // the gateway closed the connection
    }
    const verb = (line.split(' ')[0] ?? '').toUpperCase();
    const step = await command(peer, verb, opts, f, inMail, delivered, wire);
    if (step === 'done') return;
    inMail = step === 'in-mail';
  }
}

type Step = 'done' | 'in-mail' | 'idle';

async function command(
  peer: ScriptedPeer,
  verb: string,
  opts: ScriptedReceiverOptions,
  f: Faults,
  inMail: boolean,
  delivered: DeliveredMessage[],
  wire: Buffer[],
): Promise<Step> {
  const go = async (phase: Phase, normal: string, next: Step): Promise<Step> => {
    const fault = f(phase);
    if ((await at(peer, fault, normal)) === 'done') return 'done';
    const refused = fault?.kind === 'reply' && !/^[23]/.test(fault.line);
    return refused ? (phase === 'mail' ? 'idle' : inMail ? 'in-mail' : 'idle') : next;
  };
  switch (verb) {
    case 'EHLO': {
      const ext = ['scripted.example.test', 'PIPELINING', '8BITMIME', ...(opts.tls === undefined ? [] : ['STARTTLS'])];
      return go('ehlo', ext.map((l, i) => `250${i < ext.length - 1 ? '-' : ' '}${l}\r\n`).join(''), 'idle');
    }
    case 'HELO':
      return go('ehlo', '250 scripted.example.test\r\n', 'idle');
    case 'STARTTLS':
      return startTls(peer, opts, f('starttls'));
    case 'MAIL':
      return go('mail', '250 2.1.0 sender ok\r\n', 'in-mail');
    case 'RCPT':
      return inMail ? go('rcpt', '250 2.1.5 recipient ok\r\n', 'in-mail') : (peer.send('503 5.5.1 need MAIL\r\n'), 'idle');
    case 'DATA':
      if (!inMail) return (peer.send('503 5.5.1 need RCPT\r\n'), 'idle');
      return data(peer, opts, f, delivered, wire);
    case 'RSET':
      peer.send('250 2.0.0 reset\r\n');
      return 'idle';
    case 'NOOP':
      peer.send('250 2.0.0 ok\r\n');
      return inMail ? 'in-mail' : 'idle';
    case 'QUIT':
      peer.send('221 2.0.0 bye\r\n');
      peer.socket.end();
      return 'done';
    default:
      peer.send('502 5.5.2 command not implemented\r\n');
      return inMail ? 'in-mail' : 'idle';
  }
}

async function startTls(peer: ScriptedPeer, opts: ScriptedReceiverOptions, fault: Fault | undefined): Promise<Step> {
  if (opts.tls === undefined) return (peer.send('502 5.5.2 no TLS here\r\n'), 'idle');
  if ((await at(peer, fault, '220 2.0.0 go ahead\r\n')) === 'done') return 'done';
  if (fault?.kind === 'reply') return 'idle';
  if (fault?.kind === 'inject') {
    peer.send(fault.bytes);
  } else if (fault?.kind === 'tls-stall') {
    await peer.closed;
    return 'done';
  } else if (fault?.kind === 'tls-garbage') {
    // What a confused or hostile peer might send instead of a ServerHello: wait for the ClientHello first.
    await new Promise((resolve) => peer.socket.once('data', resolve));
    peer.socket.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n\x00\x01\x02garbage', 'latin1'));
    await peer.closed;
    return 'done';
  }
  try {
    await peer.startTls(opts.tls.key, opts.tls.cert);
  } catch {
    peer.socket.destroy();
    return 'done';
  }
  return 'idle';
}

async function data(peer: ScriptedPeer, opts: ScriptedReceiverOptions, f: Faults, delivered: DeliveredMessage[], wire: Buffer[]): Promise<Step> {
  const dataFault = f('data');
  if ((await at(peer, dataFault, '354 end with <CRLF>.<CRLF>\r\n')) === 'done') return 'done';
  if (dataFault?.kind === 'reply' && !dataFault.line.startsWith('354')) return 'idle';
  const body = f('body');
  if (body?.kind === 'drop') {
    await peer.readLine();
    peer.socket.resetAndDestroy();
    return 'done';
  }
  if (body?.kind === 'reply') {
    // An answer before the end of the message: the sender must not take it as the final reply.
    await peer.readLine();
    peer.send(`${body.line}\r\n`);
    await peer.readData().catch(() => undefined);
    return 'idle';
  }
  let raw: Buffer;
  try {
    raw = await peer.readData();
  } catch {
    return 'done';
  }
  wire.push(raw);
  const message = { raw: unstuff(raw) };
  const dot = f('dot');
  if (dot?.kind === 'drop' && opts.dropAfterDotDelivers !== false) delivered.push(message);
  const accepted = dot === undefined || dot.kind === 'delay' || (dot.kind === 'reply' && dot.line.startsWith('2'));
  if ((await at(peer, dot, '250 2.0.0 queued as SCRIPTED1\r\n')) === 'done') return 'done';
  if (accepted) delivered.push(message);
  return 'idle';
}

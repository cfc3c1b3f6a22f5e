// Reads a PROXY protocol header off a freshly accepted socket, before any SMTP byte is exchanged.
// Bytes that arrived after the header are pushed back so the SMTP session sees them first.
import type { Socket } from 'node:net';
import { parseProxyHeader } from './proxy-protocol.js';
import type { ProxyErrorCode, ProxyHeader } from './proxy-protocol.js';

export type ProxyReadResult =
  | { readonly ok: true; readonly header: ProxyHeader }
  | { readonly ok: false; readonly code: ProxyErrorCode | 'RG_PROXY_TIMEOUT' | 'RG_PROXY_CLOSED'; readonly reason: string };

/** v2 allows 16 + 65535 bytes; nothing legitimate comes close. */
const MAX_HEADER_BYTES = 16 + 65_535;

export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<ProxyReadResult> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (result: ProxyReadResult, rest?: Buffer): void => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      if (rest !== undefined && rest.length > 0) socket.unshift(rest);
      resolve(result);
    };
    const onEnd = (): void => finish({ ok: false, code: 'RG_PROXY_CLOSED', reason: 'the connection closed before a complete PROXY header' });
    const onReadable = (): void => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        buffered = Buffer.concat([buffered, chunk]);
        const parsed = parseProxyHeader(buffered);
        if (parsed.kind === 'invalid') return finish({ ok: false, code: parsed.code, reason: parsed.reason });
        if (parsed.kind === 'header') return finish({ ok: true, header: parsed.header }, buffered.subarray(parsed.header.length));
        if (buffered.length > MAX_HEADER_BYTES) return finish({ ok: false, code: 'RG_PROXY_V2_MALFORMED', reason: 'header larger than the protocol allows' });
      }
    };
    const timer = setTimeout(() => finish({ ok: false, code: 'RG_PROXY_TIMEOUT', reason: `no complete PROXY header within ${timeoutMs} ms` }), timeoutMs);
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onEnd);
  });
}

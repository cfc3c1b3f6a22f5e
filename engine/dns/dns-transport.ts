// One DNS question to one server: UDP first (EDNS0, DO bit), TCP when the answer is truncated.
// Returns the decoded packet or a failure value; never throws.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { DnsServerAddress, RecordType } from './dns-types.js';

export type Exchange = { readonly ok: true; readonly packet: DecodedPacket & { readonly rcode?: string } } | { readonly ok: false; readonly code: 'RG_DNS_TIMEOUT' | 'RG_DNS_NETWORK' | 'RG_DNS_MALFORMED'; readonly message: string };

const UDP_PAYLOAD = 1232;

export function encodeQuery(id: number, name: string, type: RecordType): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    // AD in a query asks the resolver to report validation (RFC 6840 §5.7); DO asks for DNSSEC data.
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
    questions: [{ type, name, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: UDP_PAYLOAD, flags: dnsPacket.DNSSEC_OK } as never],
  });
}

function matches(packet: DecodedPacket, id: number, name: string, type: RecordType): boolean {
  const q = packet.questions?.[0];
  return packet.id === id && packet.type === 'response' && q !== undefined && q.type === type && q.name.toLowerCase() === name.toLowerCase();
}

export async function exchange(server: DnsServerAddress, name: string, type: RecordType, timeoutMs: number): Promise<Exchange> {
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, name, type);
  const udp = await overUdp(server, query, id, name, type, timeoutMs);
  if (!udp.ok || !udp.packet.flag_tc) return udp;
  return overTcp(server, query, id, name, type, timeoutMs);
}

function overUdp(server: DnsServerAddress, query: Buffer, id: number, name: string, type: RecordType, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const finish = (r: Exchange): void => {
      clearTimeout(timer);
      socket.close();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, code: 'RG_DNS_TIMEOUT', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('error', (err) => finish({ ok: false, code: 'RG_DNS_NETWORK', message: err.message }));
    socket.on('message', (msg, rinfo) => {
      // Answers from anywhere but the server, or to another question, are ignored (spoofing defence).
      if (rinfo.port !== server.port || rinfo.address !== server.host) return;
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(msg);
      } catch {
        return;
      }
      if (matches(packet, id, name, type)) finish({ ok: true, packet });
    });
    socket.send(query, server.port, server.host, (err) => {
      if (err) finish({ ok: false, code: 'RG_DNS_NETWORK', message: err.message });
    });
  });
}

function overTcp(server: DnsServerAddress, query: Buffer, id: number, name: string, type: RecordType, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let buffered = Buffer.alloc(0);
    const finish = (r: Exchange): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, code: 'RG_DNS_TIMEOUT', message: `no TCP answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('error', (err) => finish({ ok: false, code: 'RG_DNS_NETWORK', message: `TCP: ${err.message}` }));
    socket.on('close', () => finish({ ok: false, code: 'RG_DNS_NETWORK', message: 'TCP connection closed before the answer' }));
    socket.on('connect', () => {
      const framed = Buffer.alloc(2 + query.length);
      framed.writeUInt16BE(query.length, 0);
      query.copy(framed, 2);
      socket.write(framed);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2) return;
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) return;
      try {
        const packet = dnsPacket.decode(buffered.subarray(2, 2 + length));
        finish(matches(packet, id, name, type) ? { ok: true, packet } : { ok: false, code: 'RG_DNS_MALFORMED', message: 'TCP answer does not match the question' });
      } catch (err) {
        finish({ ok: false, code: 'RG_DNS_MALFORMED', message: `undecodable TCP answer: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
  });
}

// A minimal, fast receiving MTA for benchmarks (net + optional STARTTLS): accepts everything,
// counts messages and bytes, keeps nothing. Used where smtp-sink cannot go (TLS) and as the
// fallback when Postfix's tools are not installed.
import net from 'node:net';
import tls from 'node:tls';

const END = Buffer.from('\r\n.\r\n');

export function startFastSink({ port = 0, host = '127.0.0.1', tlsOptions } = {}) {
  const stats = { messages: 0, bytes: 0, connections: 0 };
  const sockets = new Set();
  const server = net.createServer((raw) => {
    stats.connections++;
    raw.setNoDelay(true);
    serve(raw, false);
  });

  function serve(socket, secure) {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    let inData = false;
    if (!secure) socket.write('220 sink.example.test ESMTP fast-sink\r\n');
    const onData = (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let out = '';
      for (;;) {
        if (inData) {
          const end = buf.indexOf(END);
          if (end < 0) {
            // keep the tail that could start the terminator
            if (buf.length > 4) {
              stats.bytes += buf.length - 4;
              buf = buf.subarray(buf.length - 4);
            }
            break;
          }
          stats.bytes += end;
          buf = buf.subarray(end + END.length);
          inData = false;
          stats.messages++;
          out += `250 2.0.0 Ok: queued as S${stats.messages}\r\n`;
          continue;
        }
        const nl = buf.indexOf(10);
        if (nl < 0) break;
        const line = buf.subarray(0, nl).toString('latin1').replace(/\r$/, '');
        buf = buf.subarray(nl + 1);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          out += '250-sink.example.test\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-8BITMIME\r\n';
          if (tlsOptions && !secure) out += '250-STARTTLS\r\n';
          out += '250 ENHANCEDSTATUSCODES\r\n';
        } else if (verb === 'HELO') out += '250 sink.example.test\r\n';
        else if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP') out += '250 2.0.0 Ok\r\n';
        else if (verb === 'DATA') {
          out += '354 End data with <CR><LF>.<CR><LF>\r\n';
          inData = true;
          buf = Buffer.concat([Buffer.from('\r\n'), buf]); // so a body that is only "." still ends
        } else if (verb === 'QUIT') {
          socket.end('221 2.0.0 Bye\r\n');
          return;
        } else if (verb === 'STAR' && tlsOptions && !secure) {
          socket.removeListener('data', onData);
          socket.write('220 2.0.0 Ready to start TLS\r\n', () => {
            const secureSocket = new tls.TLSSocket(socket, { isServer: true, ...tlsOptions });
            secureSocket.setNoDelay?.(true);
            serve(secureSocket, true);
          });
          return;
        } else out += '502 5.5.2 Error: command not recognized\r\n';
      }
      if (out) socket.write(out);
    };
    socket.on('data', onData);
  }

  return new Promise((resolve) => {
    server.listen(port, host, () => {
      resolve({
        port: server.address().port,
        stats,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

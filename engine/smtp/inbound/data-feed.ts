// smtp-server's DATA-mode parser (SMTPStream._feedDataStream, 3.21.x) with its per-byte JavaScript loop
// replaced by Buffer.indexOf. The library looks at every byte for a dot after a LF; for a 100 KB body
// that loop cost ~260 µs, more than the rest of receiving it. Everything else is the library's code,
// statement for statement: the carried-over last 4 bytes, the start-of-DATA checks, the terminator, the
// escape dot (emit, then continue on setImmediate) and the drain handling. data-feed.test.ts feeds the
// same inputs, split every way, to both and compares what comes out; inbound-server.test.ts
// fingerprints the library function this one stands in for.
import type { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

type Callback = (err?: Error | null) => void;

const END_SEQUENCE = Buffer.from('\r\n.\r\n');
const START_END = Buffer.from('.\r\n');
const LF_DOT = Buffer.from('\n.');

/** Installed as an own property of each parser: `this` is the SMTPStream. */
export function feedDataStream(this: SMTPStream, input: Buffer, done: Callback): void {
  let chunk = input;
  // only called in data mode, which always has a stream
  const dataStream = this._dataStream as NonNullable<SMTPStream['_dataStream']>;
  if (this._lastBytes !== false && this._lastBytes.length > 0) {
    chunk = Buffer.concat([this._lastBytes, chunk], this._lastBytes.length + chunk.length);
    this._lastBytes = false;
  }
  let len = chunk.length;
  // a first line of a single dot, unless its escape dot was already stripped (see the library)
  if (this._atDataStart && len >= 3 && Buffer.compare(chunk.subarray(0, 3), START_END) === 0) {
    this._endDataMode(false, chunk.subarray(3), done);
    return;
  }
  if (this._atDataStart && len >= 2 && chunk[0] === 0x2e && chunk[1] === 0x2e) {
    chunk = chunk.subarray(1);
    len--;
    this._atDataStart = false;
  }
  // The library's loop visits i = 2 … len - 3 and acts at the first i with chunk[i - 1] = LF and
  // chunk[i] = '.' that is the terminator or an escape dot; these are exactly the "\n." found from 1 on.
  for (let at = chunk.indexOf(LF_DOT, 1); at >= 0 && at + 1 < len - 2; at = chunk.indexOf(LF_DOT, at + 1)) {
    const i = at + 1;
    if (Buffer.compare(chunk.subarray(i - 2, i + 3), END_SEQUENCE) === 0) {
      const buf = chunk.subarray(0, i);
      this._countDataBytes(buf.length);
      this._endDataMode(buf, chunk.subarray(i + 3), done);
      return;
    }
    if (chunk[i + 1] === 0x2e) {
      const buf = chunk.subarray(0, i);
      this._lastBytes = false;
      this._countDataBytes(buf.length);
      if (dataStream.writable) dataStream.write(buf);
      const rest = chunk.subarray(i + 1);
      setImmediate(() => this._feedDataStream(rest, done));
      return;
    }
  }
  this._lastBytes = chunk.length < 4 ? chunk : chunk.subarray(chunk.length - 4);
  if (this._lastBytes.length >= chunk.length) return done();
  const buf = chunk.subarray(0, chunk.length - this._lastBytes.length);
  this._countDataBytes(buf.length);
  if (!dataStream.writable) return done();
  const handled = dataStream.write(buf);
  if (handled || dataStream.destroyed) return done();
  // a stream that the application destroys never drains, it only closes
  const onDrain = (): void => {
    dataStream.removeListener('drain', onDrain);
    dataStream.removeListener('close', onDrain);
    done();
  };
  dataStream.once('drain', onDrain);
  dataStream.once('close', onDrain);
}

/** Gives the connection's parser, and every later one (STARTTLS makes a new one), the fast feed. */
export function installDataFeed(connection: SMTPConnection): void {
  const create = connection._createParser.bind(connection);
  const fast = (parser: SMTPStream): SMTPStream => {
    parser._feedDataStream = feedDataStream;
    return parser;
  };
  connection._createParser = (): SMTPStream => fast(create());
  if (connection._parser !== false) fast(connection._parser);
}

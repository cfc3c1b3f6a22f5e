// A real rsyslogd for sink tests: private config, work dir and pid file, imtcp on its own loopback port,
// omfile to a temp file, no system sockets (no imuxsock/imklog). Started in the foreground (-n), stopped by PID.
// With `tls`, imtcp speaks RFC 5425 through the gtls netstream driver (Debian package rsyslog-gnutls).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, waitForPort } from './processes.js';
import type { OwnedProcess } from './processes.js';

export interface Rsyslog {
  readonly port: number;
  readonly outFile: string;
  /** Lines rsyslog wrote so far: app-name, procid, msgid, structured data, msg (tab-separated by the template). */
  lines(): RsyslogLine[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface RsyslogLine {
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  readonly structuredData: string;
  readonly msg: string;
}

export interface RsyslogTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** anon: encryption only; x509/name: the client must present a certificate from caFile naming one of permittedPeers. */
  readonly authMode: 'anon' | 'x509/name';
  readonly permittedPeers?: readonly string[];
}

/** Where Debian's rsyslog-gnutls puts the gtls driver (the multiarch directory differs per architecture). */
export function findRsyslogModule(name: string): string | undefined {
  const dirs = ['/usr/lib/rsyslog', '/usr/lib64/rsyslog'];
  try {
    for (const entry of readdirSync('/usr/lib')) if (entry.endsWith('-linux-gnu')) dirs.push(`/usr/lib/${entry}/rsyslog`);
  } catch {
    // no /usr/lib: nothing to find
  }
  return dirs.map((d) => join(d, `${name}.so`)).find((p) => existsSync(p));
}

function imtcpLines(tls: RsyslogTls | undefined): string[] {
  if (tls === undefined) return ['module(load="imtcp")'];
  const peers = tls.permittedPeers && tls.permittedPeers.length > 0 ? ` PermittedPeer=[${tls.permittedPeers.map((p) => `"${p}"`).join(',')}]` : '';
  return [`module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="${tls.authMode}"${peers})`];
}

function globalLine(dir: string, tls: RsyslogTls | undefined): string {
  const files = tls ? ` DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="${tls.caFile}" DefaultNetstreamDriverCertFile="${tls.certFile}" DefaultNetstreamDriverKeyFile="${tls.keyFile}"` : '';
  return `global(workDirectory="${dir}"${files})`;
}

export function rsyslogConfig(dir: string, port: number, appName: string, tls?: RsyslogTls): string {
  return [
    globalLine(dir, tls),
    ...imtcpLines(tls),
    `input(type="imtcp" port="${port}" address="127.0.0.1")`,
    'template(name="rg" type="string" string="%app-name%\\t%procid%\\t%msgid%\\t%structured-data%\\t%msg%\\n")',
    // Only our messages: rsyslogd's own notices would go to the same file otherwise.
    `if $app-name == "${appName}" then { action(type="omfile" file="${join(dir, 'out.log')}" template="rg" flushOnTXEnd="on" asyncWriting="off") }`,
    '',
  ].join('\n');
}

export async function startRsyslog(bin: string, dir: string, port: number, appName: string, tls?: RsyslogTls): Promise<Rsyslog> {
  const conf = join(dir, 'rsyslog.conf');
  const pidFile = join(dir, 'rsyslogd.pid');
  const outFile = join(dir, 'out.log');
  writeFileSync(conf, rsyslogConfig(dir, port, appName, tls));
  let proc: OwnedProcess | undefined;
  const rs: Rsyslog = {
    port,
    outFile,
    lines: () => (existsSync(outFile) ? readFileSync(outFile, 'utf8') : '').split('\n').filter(Boolean).map(parseLine),
    async start() {
      proc = startProcess(bin, ['-n', '-f', conf, '-i', pidFile]);
      try {
        await Promise.race([waitForPort(port, '127.0.0.1', 10_000), proc.exited.then((e) => Promise.reject(new Error(`rsyslogd exited (${String(e.code)})`)))]);
      } catch (err) {
        throw new Error(`rsyslogd did not start: ${(err as Error).message}\n${proc.output()}`);
      }
    },
    async stop() {
      await proc?.stop('SIGTERM');
      proc = undefined;
    },
  };
  await rs.start();
  return rs;
}

function parseLine(line: string): RsyslogLine {
  const [appName = '', procId = '', msgId = '', structuredData = '', ...rest] = line.split('\t');
  return { appName, procId, msgId, structuredData, msg: rest.join('\t') };
}

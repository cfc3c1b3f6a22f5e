// A real rsyslogd for sink tests: private config, work dir and pid file, imtcp on its own loopback port,
// omfile to a temp file, no system sockets (no imuxsock/imklog). Started in the foreground (-n), stopped by PID.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

export function rsyslogConfig(dir: string, port: number, appName: string): string {
  return [
    `global(workDirectory="${dir}")`,
    'module(load="imtcp")',
    `input(type="imtcp" port="${port}" address="127.0.0.1")`,
    'template(name="rg" type="string" string="%app-name%\\t%procid%\\t%msgid%\\t%structured-data%\\t%msg%\\n")',
    // Only our messages: rsyslogd's own notices would go to the same file otherwise.
    `if $app-name == "${appName}" then { action(type="omfile" file="${join(dir, 'out.log')}" template="rg" flushOnTXEnd="on" asyncWriting="off") }`,
    '',
  ].join('\n');
}

export async function startRsyslog(bin: string, dir: string, port: number, appName: string): Promise<Rsyslog> {
  const conf = join(dir, 'rsyslog.conf');
  const pidFile = join(dir, 'rsyslogd.pid');
  const outFile = join(dir, 'out.log');
  writeFileSync(conf, rsyslogConfig(dir, port, appName));
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

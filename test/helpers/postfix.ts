// A private Postfix instance for interop tests: its own config, queue and data directories,
// loopback ports only, run with `postfix start-fg` so the test owns the master's PID.
// Never touches the system Postfix.
import { chownSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startProcess, waitForPort, type OwnedProcess } from './processes.js';

export interface PostfixService {
  /** e.g. "127.0.0.1:10026" */
  readonly listen: string;
  /** smtpd -o overrides for this listener. */
  readonly options?: Readonly<Record<string, string>>;
}

export interface PostfixOptions {
  readonly dir: string;
  readonly hostname: string;
  readonly mainCf: Readonly<Record<string, string>>;
  readonly services: readonly PostfixService[];
  /** Extra master.cf lines (e.g. a content-filter transport). */
  readonly masterExtra?: string;
}

export interface PostfixInstance {
  readonly dir: string;
  readonly process: OwnedProcess;
  log(): string;
  stop(): Promise<void>;
}

function masterCf(services: readonly PostfixService[], extra = ''): string {
  const base = readFileSync('/etc/postfix/master.cf.proto', 'utf8')
    .split('\n')
    .filter((line) => !/^smtp\s+inet\b/.test(line))
    .join('\n');
  const lines = services.map((svc) => {
    const opts = Object.entries(svc.options ?? {}).map(([k, v]) => `\n  -o ${k}=${v}`);
    return `${svc.listen} inet n - n - - smtpd${opts.join('')}`;
  });
  return `${base}\n${lines.join('\n')}\n${extra}\n`;
}

function killMaster(queue: string): void {
  try {
    const pid = Number(readFileSync(join(queue, 'pid', 'master.pid'), 'utf8').trim());
    if (pid > 1) process.kill(pid, 'SIGKILL');
  } catch {
    // not running
  }
}

export function postfixAvailable(): boolean {
  return existsSync('/usr/sbin/postfix') && existsSync('/etc/postfix/master.cf.proto') && process.getuid?.() === 0;
}

export async function startPostfix(opts: PostfixOptions): Promise<PostfixInstance> {
  const etc = join(opts.dir, 'etc');
  const queue = join(opts.dir, 'queue');
  const data = join(opts.dir, 'data');
  for (const d of [etc, queue, data]) mkdirSync(d, { recursive: true });
  const uid = Number(execFileSync('id', ['-u', 'postfix']).toString().trim());
  chownSync(data, uid, 0);
  const main: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: queue,
    data_directory: data,
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    myhostname: opts.hostname,
    mydestination: '',
    alias_maps: '',
    alias_database: '',
    local_recipient_maps: '',
    mynetworks: '127.0.0.0/8',
    maillog_file: '/dev/stdout',
    smtputf8_enable: 'no',
    smtp_address_preference: 'ipv4',
    ...opts.mainCf,
  };
  writeFileSync(join(etc, 'main.cf'), Object.entries(main).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  writeFileSync(join(etc, 'master.cf'), masterCf(opts.services, opts.masterExtra));
  const proc = startProcess('/usr/sbin/postfix', ['-c', etc, 'start-fg']);
  for (const svc of opts.services) {
    const [host, port] = svc.listen.split(':');
    await waitForPort(Number(port), host);
  }
  return {
    dir: opts.dir,
    process: proc,
    log: () => proc.output(),
    async stop() {
      // The wrapper's PID is not the master's: stop cleanly, then make sure by the pid file.
      try {
        execFileSync('/usr/sbin/postfix', ['-c', etc, 'stop'], { stdio: 'ignore', timeout: 10_000 });
      } catch {
        // fall through to the pid file
      }
      killMaster(queue);
      await proc.stop('SIGTERM');
    },
  };
}

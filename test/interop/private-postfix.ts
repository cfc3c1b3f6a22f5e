// A private Postfix instance for interop tests: its own config_directory, queue_directory and
// data_directory under a temp dir, one smtpd on 127.0.0.1:PORT, logging to a file (postlogd) so a
// failure can show what Postfix said. The system Postfix (/etc/postfix, /var/spool/postfix) is never
// read for its configuration, never written and never started.
//
// What it takes to start Postfix from a non-interactive child process (found the hard way):
// - The `postfix` command writes its own errors to stderr only when stderr is a terminal; otherwise
//   to syslog — and a container has no /dev/log, so `postfix start` just exits 1 and says nothing.
//   With `maillog_file` set, every message (postfix-script, master, daemons) goes to that file instead.
// - `maillog_file` must start with one of `maillog_file_prefixes` (default /var, /dev/stdout), or the
//   command dies at once — fatally and, per the previous point, silently.
// - master opens data_directory/master.lock as the mail_owner (postfix): every directory above
//   data_directory and queue_directory must be traversable by that user. mkdtemp makes 0700
//   directories, which gives "open lock file .../master.lock: Permission denied" and
//   "fatal: mail system startup failed" (rc=1). Hence the chmod 0755 of the temp root.
// - queue_directory must exist (Postfix chdirs into it first); everything inside it and the
//   data_directory are created with the right owners (postfix, postdrop) by `postfix start`'s
//   integrity check (post-install create-missing), so neither is created here by hand.
// - Master needs root; no /etc/postfix/main.cf is needed when `-c DIR` is given as root.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, toolsRequired } from '../helpers/tools.js';
import { freePort } from '../helpers/ports.js';
import { waitForPort } from '../helpers/processes.js';

export interface PrivatePostfixOptions {
  /** main.cf parameters added to (and overriding) the defaults below. */
  readonly main?: Readonly<Record<string, string>>;
  /** Extra master.cf lines, e.g. a second smtp client transport with `-o` overrides. */
  readonly master?: readonly string[];
  readonly hostname?: string;
  /** The smtpd port (default: a free one), for configs written before Postfix starts. */
  readonly port?: number;
}

export interface PrivatePostfix {
  readonly root: string;
  readonly configDir: string;
  readonly queueDir: string;
  readonly host: '127.0.0.1';
  /** The smtpd inet service. */
  readonly port: number;
  readonly masterPid: number;
  /** Everything the instance logged so far. */
  maillog(): string;
  /** Resolves with the first maillog match of pattern; rejects with the whole maillog after timeoutMs. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** `postqueue -p` of this instance. */
  queue(): Promise<string>;
  /** maillog, queue listing and `postconf -n`, for failure messages. */
  diagnostics(): Promise<string>;
  /** `postfix stop`, then SIGKILL to master's process group if anything is left; removes the temp dir. */
  stop(): Promise<void>;
}

const POSTFIX_PACKAGE = 'postfix';

type RunResult = { readonly code: number; readonly out: string };

function run(cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, [...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const raw = (err as NodeJS.ErrnoException | null)?.code;
      const code = err ? (typeof raw === 'number' ? raw : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
    child.stdin?.end();
  });
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Where master and postfix-script live (`postconf -d`: the compiled-in default, no main.cf needed). */
function daemonDirectory(postconf: string): string {
  try {
    return execFileSync(postconf, ['-d', '-h', 'daemon_directory'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '/usr/lib/postfix/sbin';
  }
}

/**
 * Whether a private Postfix can run here: the postfix, postconf and postqueue commands, the master
 * daemon, and root (master binds, creates queue directories and drops privileges). Prints why the
 * dependent tests skip; throws under RELAYGUARD_REQUIRE_TOOLS=1.
 */
export function requirePrivatePostfix(): boolean {
  const missing = ['postfix', 'postconf', 'postqueue'].filter((t) => findTool(t) === undefined);
  let reason: string | undefined;
  if (missing.length > 0) reason = `${missing.join(', ')} not found (install the Debian package "${POSTFIX_PACKAGE}")`;
  else if (process.getuid?.() !== 0) reason = 'a private Postfix instance needs root (its master daemon drops privileges to the postfix user)';
  else {
    const master = join(daemonDirectory(findTool('postconf')!), 'master');
    try {
      accessSync(master, constants.X_OK);
    } catch {
      reason = `${master} not found (install the Debian package "${POSTFIX_PACKAGE}")`;
    }
  }
  if (reason === undefined) return true;
  if (toolsRequired) throw new Error(`RELAYGUARD_REQUIRE_TOOLS=1 but ${reason}`);
  process.stderr.write(`SKIP interop: ${reason}\n`);
  return false;
}

const running = new Set<PrivatePostfix>();
let exitHook = false;

/** Last resort when the test process exits without afterAll: kill master's process group by PID. */
function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const pf of running) {
      try {
        process.kill(-pf.masterPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** PIDs (not zombies) whose process group is pgid, from /proc. */
function processGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields: state ppid pgrp ...
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function defaultMain(root: string, hostname: string): Record<string, string> {
  return {
    compatibility_level: '3.6',
    queue_directory: join(root, 'queue'),
    data_directory: join(root, 'data'),
    maillog_file: join(root, 'maillog'),
    maillog_file_prefixes: root,
    syslog_name: 'postfix-private',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    myhostname: hostname,
    mydomain: 'example.test',
    myorigin: '$myhostname',
    mydestination: '',
    relay_domains: '',
    local_recipient_maps: '',
    alias_maps: '',
    alias_database: '',
    mynetworks: '127.0.0.0/8',
    smtpd_relay_restrictions: 'permit_mynetworks, reject_unauth_destination',
    smtpd_banner: '$myhostname ESMTP private Postfix',
    biff: 'no',
    append_dot_mydomain: 'no',
    // Retry quickly: a test waits seconds, not minutes.
    queue_run_delay: '1s',
    minimal_backoff_time: '1s',
    maximal_backoff_time: '2s',
    smtp_connect_timeout: '5s',
    smtpd_tls_loglevel: '1',
    smtp_tls_loglevel: '1',
  };
}

function masterCf(port: number, extra: readonly string[]): string {
  const lines = [
    '# service type  private unpriv  chroot  wakeup  maxproc command',
    `127.0.0.1:${port} inet n - n - - smtpd`,
    'pickup    unix  n - n 60 1 pickup',
    'cleanup   unix  n - n - 0 cleanup',
    'qmgr      unix  n - n 300 1 qmgr',
    'tlsmgr    unix  - - n 1000? 1 tlsmgr',
    'rewrite   unix  - - n - - trivial-rewrite',
    'bounce    unix  - - n - 0 bounce',
    'defer     unix  - - n - 0 bounce',
    'trace     unix  - - n - 0 bounce',
    'verify    unix  - - n - 1 verify',
    'flush     unix  n - n 1000? 0 flush',
    'proxymap  unix  - - n - - proxymap',
    'proxywrite unix - - n - 1 proxymap',
    'smtp      unix  - - n - - smtp',
    'relay     unix  - - n - - smtp',
    'showq     unix  n - n - - showq',
    'error     unix  - - n - - error',
    'retry     unix  - - n - - error',
    'discard   unix  - - n - - discard',
    'anvil     unix  - - n - 1 anvil',
    'scache    unix  - - n - 1 scache',
    'postlog   unix-dgram n - n - 1 postlogd',
    ...extra,
  ];
  return `${lines.join('\n')}\n`;
}

/** Starts a private Postfix; on failure the error carries the command output, the maillog and `postconf -n`. */
export async function startPrivatePostfix(opts: PrivatePostfixOptions = {}): Promise<PrivatePostfix> {
  const postfix = findTool('postfix');
  const postconf = findTool('postconf');
  const postqueue = findTool('postqueue');
  if (!postfix || !postconf || !postqueue) throw new Error('postfix, postconf or postqueue not found');
  const root = mkdtempSync(join(tmpdir(), 'rg-postfix-'));
  chmodSync(root, 0o755); // master opens data_directory/master.lock as the postfix user
  const configDir = join(root, 'etc');
  const queueDir = join(root, 'queue');
  mkdirSync(configDir);
  mkdirSync(queueDir, { mode: 0o755 });
  const port = opts.port ?? (await freePort());
  const main = { ...defaultMain(root, opts.hostname ?? 'pf.example.test'), ...opts.main };
  writeFileSync(join(configDir, 'main.cf'), `${Object.entries(main).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
  writeFileSync(join(configDir, 'master.cf'), masterCf(port, opts.master ?? []));
  const maillogPath = join(root, 'maillog');
  const maillog = (): string => (existsSync(maillogPath) ? readFileSync(maillogPath, 'utf8') : '');
  const postconfN = async (): Promise<string> => (await run(postconf, ['-c', configDir, '-n'])).out;

  const started = await run(postfix, ['-c', configDir, 'start']);
  const pidFile = join(queueDir, 'pid', 'master.pid');
  const masterPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'latin1').trim()) : NaN;
  const cleanupFailed = async (why: string): Promise<never> => {
    let text = `private Postfix did not start (${why}); postfix start rc=${started.code}\n${started.out}\n--- maillog ---\n${maillog() || '(empty)'}`;
    if (maillog() === '' && findTool('script')) {
      // No maillog means the postfix command died before it could log; it tells a terminal why.
      const tty = await run(findTool('script')!, ['-qec', `${postfix} -c ${shellQuote(configDir)} check`, '/dev/null']);
      text += `\n--- postfix check on a pseudo-terminal ---\n${tty.out}`;
    }
    text += `\n--- postconf -n ---\n${await postconfN()}`;
    if (Number.isInteger(masterPid) && masterPid > 1) {
      try {
        process.kill(-masterPid, 'SIGKILL');
      } catch {
        // not running
      }
    }
    rmSync(root, { recursive: true, force: true });
    throw new Error(text);
  };
  if (started.code !== 0) return cleanupFailed('non-zero exit');
  if (!Number.isInteger(masterPid) || masterPid <= 1) return cleanupFailed(`no master PID in ${pidFile}`);
  try {
    await waitForPort(port, '127.0.0.1', 10_000);
  } catch (err) {
    await run(postfix, ['-c', configDir, 'stop']);
    return cleanupFailed((err as Error).message);
  }

  let stopped: Promise<void> | undefined;
  const instance: PrivatePostfix = {
    root,
    configDir,
    queueDir,
    host: '127.0.0.1',
    port,
    masterPid,
    maillog,
    async waitForLog(pattern, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(maillog());
        if (m) return m;
        if (Date.now() > until) throw new Error(`private Postfix: no maillog line matching ${pattern} after ${timeoutMs} ms\n--- maillog ---\n${maillog()}`);
        await sleep(100);
      }
    },
    async queue() {
      return (await run(postqueue, ['-c', configDir, '-p'])).out;
    },
    async diagnostics() {
      return `--- maillog ---\n${maillog()}\n--- postqueue -p ---\n${await instance.queue()}\n--- postconf -n ---\n${await postconfN()}`;
    },
    stop() {
      stopped ??= (async () => {
        // postfix stop: SIGTERM to master, waits up to 5 s, then kill -9 of the process group.
        await run(postfix, ['-c', configDir, 'stop'], 20_000);
        const until = Date.now() + 5_000;
        for (;;) {
          const left = processGroupMembers(masterPid);
          if (!isAlive(masterPid) && left.length === 0) break;
          if (Date.now() > until) {
            for (const pid of [masterPid, ...left]) {
              try {
                process.kill(pid, 'SIGKILL');
              } catch {
                // gone
              }
            }
            try {
              process.kill(-masterPid, 'SIGKILL');
            } catch {
              // gone
            }
            await sleep(200);
            break;
          }
          await sleep(50);
        }
        running.delete(instance);
        rmSync(root, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  running.add(instance);
  installExitHook();
  return instance;
}

/** Stops every private Postfix this process started and did not stop (call from afterAll). */
export async function stopAllPostfix(): Promise<void> {
  await Promise.all([...running].map((pf) => pf.stop()));
}

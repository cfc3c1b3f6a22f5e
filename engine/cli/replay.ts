// `relayguard replay OLD_DIR NEW_DIR --corpus PATH [--format text|json|markdown|github] [--sender ADDR]
// [--recipient ADDR]... [--upstream NAME] [--progress]`: what a config change does to real mail.
// Exit 0 nothing differs, 3 something does, 1 a revision is invalid, 2 usage or an unreadable corpus.
import { Option } from 'commander';
import type { Command } from 'commander';
import { formatDiagnostics } from '../config/format.js';
import { detectCorpus, readCorpus } from '../gitops/replay-corpus.js';
import { loadRevision, replayCorpus } from '../gitops/replay.js';
import { REPLAY_FORMATS, formatReplay, summaryOf } from '../gitops/replay-format.js';
import type { ReplayFormat } from '../gitops/replay-format.js';
import type { CommandOutput } from './graph.js';
import { writeOutput } from './graph.js';

export const EXIT_SAME = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
export const EXIT_DIFFERENT = 3;

export interface ReplayCommandOptions {
  readonly corpus: string;
  readonly format?: ReplayFormat;
  readonly sender?: string;
  readonly recipient?: readonly string[];
  readonly upstream?: string;
  /** Print progress to `progress` every `progressEvery` messages (the CLI: when stderr is a TTY, or --progress). */
  readonly progress?: (line: string) => void;
  readonly progressEvery?: number;
}

export async function runReplay(oldDir: string, newDir: string, opts: ReplayCommandOptions): Promise<CommandOutput> {
  const corpus = await detectCorpus(opts.corpus);
  if (!corpus.ok) return { exitCode: EXIT_USAGE, stdout: '', stderr: `relayguard replay: ${corpus.error.message} [${corpus.error.code}]` };
  const [before, after] = await Promise.all([loadRevision(oldDir), loadRevision(newDir)]);
  if (!before.ok || !after.ok) {
    const side = (label: string, dir: string, r: typeof before): string => (r.ok ? '' : `${label} ${dir} is invalid:\n${formatDiagnostics(r.diagnostics, 'text')}`);
    const unusable = (!before.ok && before.unusable) || (!after.ok && after.unusable);
    return { exitCode: unusable ? EXIT_USAGE : EXIT_INVALID, stdout: '', stderr: [side('OLD_DIR', oldDir, before), side('NEW_DIR', newDir, after)].filter((s) => s).join('\n') };
  }
  const every = opts.progressEvery ?? 500;
  const started = performance.now();
  const report = await replayCorpus(before.revision, after.revision, readCorpus(opts.corpus, corpus.kind), {
    flags: { ...(opts.sender !== undefined ? { sender: opts.sender } : {}), ...(opts.recipient !== undefined && opts.recipient.length > 0 ? { recipients: opts.recipient } : {}), ...(opts.upstream !== undefined ? { upstream: opts.upstream } : {}) },
    ...(opts.progress !== undefined
      ? {
          onMessage: (done: number, differing: number) => {
            if (done % every !== 0) return;
            const rate = done / ((performance.now() - started) / 1000);
            opts.progress?.(`replay: ${done} messages, ${differing} differ (${rate.toFixed(0)} msg/s)`);
          },
        }
      : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const stderr = opts.progress !== undefined ? `replay: ${summaryOf(report)} in ${seconds.toFixed(1)} s` : '';
  return { exitCode: report.diffs.length > 0 ? EXIT_DIFFERENT : EXIT_SAME, stdout: formatReplay(report, opts.format ?? 'text'), stderr };
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  program
    .command('replay')
    .description("run both revisions' inspection over a corpus of real messages and show what is handled differently (exit 0: nothing, 3: differences, 1: invalid)")
    .argument('<old-dir>', 'config directory of the running revision')
    .argument('<new-dir>', 'config directory of the proposed revision')
    .requiredOption('--corpus <path>', 'a directory of .eml files (NAME.eml.json sidecars: { sender, recipients, upstream }), an mbox file, or a Maildir')
    .addOption(new Option('--format <format>', 'output format').choices([...REPLAY_FORMATS]).default('text'))
    .option('--sender <addr>', 'envelope sender for every message (default: sidecar, Return-Path, From)')
    .option('--recipient <addr>', 'envelope recipient (repeatable; default: sidecar, Delivered-To, To/Cc)', collect, [])
    .option('--upstream <name>', 'upstream every message arrives from (default: sidecar, the only upstream)')
    .option('--progress', 'progress on stderr even when it is not a terminal')
    .option('--progress-every <n>', 'messages between progress lines', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive integer: ${v}`);
      return n;
    })
    .action(async (oldDir: string, newDir: string, options: { corpus: string; format: ReplayFormat; sender?: string; recipient: string[]; upstream?: string; progress?: boolean; progressEvery?: number }) => {
      const progress = options.progress === true || process.stderr.isTTY ? (line: string) => void process.stderr.write(`${line}\n`) : undefined;
      writeOutput(
        await runReplay(oldDir, newDir, {
          corpus: options.corpus,
          format: options.format,
          recipient: options.recipient,
          ...(options.sender !== undefined ? { sender: options.sender } : {}),
          ...(options.upstream !== undefined ? { upstream: options.upstream } : {}),
          ...(progress !== undefined ? { progress } : {}),
          ...(options.progressEvery !== undefined ? { progressEvery: options.progressEvery } : {}),
        }),
      );
    });
}

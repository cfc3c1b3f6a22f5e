// `relayguard graph [DIR] [--format text|json|mermaid]`: the compiled routing graph.
// The graph goes to stdout; diagnostics go to stderr so `graph --format mermaid > graph.md`
// never mixes the two.
import { Option } from 'commander';
import type { Command } from 'commander';
import { formatDiagnostics } from '../config/load.js';
import { buildGraph } from '../graph/build.js';
import { GRAPH_FORMATS, renderGraph } from '../graph/render.js';
import type { GraphFormat } from '../graph/render.js';

export interface CommandOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GraphCommandOptions {
  readonly format: GraphFormat;
  readonly now?: Date;
}

export const DEFAULT_CONFIG_DIR = 'policies';

export async function runGraph(dir: string, opts: GraphCommandOptions): Promise<CommandOutput> {
  const built = await buildGraph(dir, opts.now ? { now: opts.now } : {});
  const diagnostics = built.diagnostics.length > 0 ? formatDiagnostics(built.diagnostics, 'text') : '';
  // Invalid config: 1; nothing could be loaded (no such directory, broken installation): 2.
  if (!built.graph) return { exitCode: built.status === 'unusable' ? 2 : 1, stdout: '', stderr: diagnostics };
  return { exitCode: 0, stdout: renderGraph(built.graph, opts.format), stderr: diagnostics };
}

export function writeOutput(out: CommandOutput): void {
  if (out.stdout) process.stdout.write(out.stdout.endsWith('\n') ? out.stdout : `${out.stdout}\n`);
  if (out.stderr) process.stderr.write(out.stderr.endsWith('\n') ? out.stderr : `${out.stderr}\n`);
  process.exitCode = out.exitCode;
}

export function register(program: Command): void {
  program
    .command('graph')
    .description('print the compiled routing graph of a config directory')
    .argument('[dir]', 'config directory', DEFAULT_CONFIG_DIR)
    .addOption(new Option('--format <format>', 'output format').choices(GRAPH_FORMATS).default('text'))
    .action(async (dir: string, options: { format: GraphFormat }) => {
      writeOutput(await runGraph(dir, { format: options.format }));
    });
}

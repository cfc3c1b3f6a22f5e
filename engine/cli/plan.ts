// `relayguard plan OLD_DIR NEW_DIR [--format text|json]`: what would change between two config
// revisions. Exit 0 no change, 3 changes, 1 a side is invalid, 2 usage.
import { Option } from 'commander';
import type { Command } from 'commander';
import { formatDiagnostics } from '../config/load.js';
import type { LoadedConfig } from '../config/load.js';
import { buildGraph } from '../graph/build.js';
import type { BuildResult } from '../graph/build.js';
import { PLAN_SECTIONS, formatPlan, planChanges, summarizePlan } from '../graph/plan.js';
import type { Change } from '../graph/plan.js';
import type { RoutingGraph } from '../graph/types.js';
import { writeOutput } from './graph.js';
import type { CommandOutput } from './graph.js';

export type PlanFormat = 'text' | 'json';
export const PLAN_FORMATS: readonly PlanFormat[] = ['text', 'json'];

export const EXIT_NO_CHANGES = 0;
export const EXIT_INVALID = 1;
export const EXIT_UNUSABLE = 2;
export const EXIT_CHANGES = 3;

export interface PlanSide {
  readonly dir: string;
  readonly graph: RoutingGraph;
  readonly config: LoadedConfig;
}

/**
 * Extension point for the policy-test runner: given both revisions, return the changes in test
 * outcomes (section 'test', e.g. `~ test card-numbers.test.yaml#2: pass → fail`).
 */
export type PlanExtension = (before: PlanSide, after: PlanSide) => Promise<readonly Change[]>;

export interface PlanCommandOptions {
  readonly format: PlanFormat;
  readonly now?: Date;
  readonly extensions?: readonly PlanExtension[];
}

function invalidSide(label: string, dir: string, built: BuildResult): string {
  return `${label} ${dir} is invalid:\n${formatDiagnostics(built.diagnostics, 'text')}`;
}

function sortChanges(changes: readonly Change[]): Change[] {
  // Stable sort: only the section decides; within a section the producer's order stays.
  return [...changes].sort((a, b) => PLAN_SECTIONS.indexOf(a.section) - PLAN_SECTIONS.indexOf(b.section));
}

function render(changes: readonly Change[], format: PlanFormat): string {
  switch (format) {
    case 'text':
      return formatPlan(changes);
    case 'json':
      return `${JSON.stringify({ summary: summarizePlan(changes), changes }, null, 2)}\n`;
    default: {
      const never: never = format;
      throw new Error(`unknown plan format ${String(never)}`);
    }
  }
}

export async function runPlan(oldDir: string, newDir: string, opts: PlanCommandOptions): Promise<CommandOutput> {
  const buildOpts = opts.now ? { now: opts.now } : {};
  const [before, after] = await Promise.all([buildGraph(oldDir, buildOpts), buildGraph(newDir, buildOpts)]);
  if (!before.graph || !before.config || !after.graph || !after.config) {
    const stderr = [!before.graph ? invalidSide('OLD_DIR', oldDir, before) : '', !after.graph ? invalidSide('NEW_DIR', newDir, after) : ''].filter((s) => s).join('\n');
    const unusable = before.status === 'unusable' || after.status === 'unusable';
    return { exitCode: unusable ? EXIT_UNUSABLE : EXIT_INVALID, stdout: '', stderr };
  }
  const sides = [{ dir: oldDir, graph: before.graph, config: before.config }, { dir: newDir, graph: after.graph, config: after.config }] as const;
  const extra = await Promise.all((opts.extensions ?? []).map((extension) => extension(sides[0], sides[1])));
  const changes = sortChanges([...planChanges(before.graph, after.graph), ...extra.flat()]);
  return { exitCode: changes.length === 0 ? EXIT_NO_CHANGES : EXIT_CHANGES, stdout: render(changes, opts.format), stderr: '' };
}

export function register(program: Command, extensions: readonly PlanExtension[] = []): void {
  program
    .command('plan')
    .description('show what would change between two config revisions (exit 0: none, 3: changes, 1: invalid)')
    .argument('<old-dir>', 'config directory of the running revision')
    .argument('<new-dir>', 'config directory of the proposed revision')
    .addOption(new Option('--format <format>', 'output format').choices(PLAN_FORMATS).default('text'))
    .action(async (oldDir: string, newDir: string, options: { format: PlanFormat }) => {
      writeOutput(await runPlan(oldDir, newDir, { format: options.format, extensions }));
    });
}

// The typed command table: each command file exports `register(program)`.
import type { Command } from 'commander';
import { register as registerValidate } from './validate.js';
import { register as registerServe } from './serve.js';
import { register as registerGraph } from './graph.js';
import { register as registerPlan } from './plan.js';
import { register as registerTest, testPlanExtension } from './test.js';
import { register as registerCerts } from './certs.js';
import { register as registerIdentifiers } from './identifiers.js';
import { register as registerSchema } from './schema.js';
import { register as registerReplay } from './replay.js';
import { register as registerEdm } from './edm.js';

type Register = (program: Command) => void;

const registrations: readonly Register[] = [
  registerValidate,
  registerServe,
  registerGraph,
  (program) => registerPlan(program, [testPlanExtension]),
  registerTest,
  registerCerts,
  registerIdentifiers,
  registerSchema,
  registerReplay,
  registerEdm,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}

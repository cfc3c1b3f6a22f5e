// Worker-thread side of the extraction pool: the same extractFile as on the event loop, without
// offloading (this thread may block), on bytes transferred from the main thread.
import { extractFile, type FileFacts } from './extract-file.js';
import { ByteBudget } from './mime-parse.js';
import type { ExtractTask, ExtractTaskResult } from './pool.js';

export default async function extractInWorker(task: ExtractTask): Promise<ExtractTaskResult> {
  const facts: FileFacts = { segments: [], longTexts: [], messages: [], attachments: [], unscannable: [], notes: [], limitsHit: [], parts: task.parts };
  const budget = new ByteBudget(task.budgetLeft);
  const content = new Uint8Array(task.content);
  await extractFile({ ...task.file, content }, task.container, task.depth, { limits: task.limits, budget, facts });
  return { ...facts, used: task.budgetLeft - budget.left, exceeded: budget.exceeded };
}

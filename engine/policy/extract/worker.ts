// Worker-thread side of the extraction pool: the same extractFile as on the event loop, without
// offloading (this thread may block), on bytes transferred from the main thread. Long ASCII texts go
// back as transferred bytes (pool.ts, WireSegment), the rest of the facts as a structured clone.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { extractFile, type FileFacts } from './extract-file.js';
import { ByteBudget } from './mime-parse.js';
import { type ExtractTask, type ExtractTaskResult, wireSegments } from './pool.js';

export default async function extractInWorker(task: ExtractTask): Promise<ExtractTaskResult | ReturnType<typeof move>> {
  const facts: FileFacts = { segments: [], longTexts: [], messages: [], attachments: [], unscannable: [], notes: [], limitsHit: [], parts: task.parts };
  const budget = new ByteBudget(task.budgetLeft);
  const content = new Uint8Array(task.content);
  await extractFile({ ...task.file, content }, task.container, task.depth, { limits: task.limits, budget, facts });
  const { segments, transfer } = wireSegments(facts.segments);
  const result: ExtractTaskResult = { ...facts, segments, used: task.budgetLeft - budget.left, exceeded: budget.exceeded };
  if (transfer.length === 0) return result;
  // piscina transfers what a moved value lists under transferableSymbol and hands over its valueSymbol
  return move({ [transferableSymbol]: transfer, [valueSymbol]: result });
}

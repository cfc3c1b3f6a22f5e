// One ReplayReport behind four formats: text (people), json (tools), markdown (a pull-request comment) and
// github (workflow annotations on the line of each policy whose effect changed).
import type { Handling, MessageDiff, PolicyImpact, ReplayReport } from './replay.js';

export type ReplayFormat = 'text' | 'json' | 'markdown' | 'github';
export const REPLAY_FORMATS: readonly ReplayFormat[] = ['text', 'json', 'markdown', 'github'];

/** Messages listed one by one in text and markdown; the rest are counted (json has them all). */
const MAX_LISTED = 50;

export function formatReplay(report: ReplayReport, format: ReplayFormat): string {
  switch (format) {
    case 'text':
      return textReport(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return markdownReport(report);
    case 'github':
      return githubReport(report);
    default: {
      const never: never = format;
      throw new Error(`unknown replay format ${String(never)}`);
    }
  }
}

export function summaryOf(r: ReplayReport): string {
  const unread = r.unreadable.length > 0 ? `, ${r.unreadable.length} unreadable` : '';
  return `${r.messages} message(s) replayed, ${r.diffs.length} handled differently${unread}`;
}

function handlingText(h: Handling): string {
  const failed = h.inspection.status === 'failed' ? ` (inspection failed: ${h.inspection.reason})` : '';
  return `${h.kind} [${h.matches.map((m) => (m.mode === 'monitor' ? `${m.policy} (monitor)` : m.policy)).join(', ')}]${failed}`;
}

function impactText(p: PolicyImpact): string {
  const parts = [
    p.newlyBlocked > 0 ? `${p.newlyBlocked} newly blocked` : '',
    p.noLongerBlocked > 0 ? `${p.noLongerBlocked} no longer blocked` : '',
    p.changedAction > 0 ? `${p.changedAction} changed action` : '',
    p.newlyMatched > 0 ? `${p.newlyMatched} newly matched` : '',
    p.noLongerMatched > 0 ? `${p.noLongerMatched} no longer matched` : '',
  ].filter((s) => s !== '');
  return parts.join(', ');
}

function textReport(r: ReplayReport): string {
  const lines = [`replay ${r.before.dir} (${r.before.revision.slice(0, 12)}) → ${r.after.dir} (${r.after.revision.slice(0, 12)})`, ''];
  for (const d of r.diffs.slice(0, MAX_LISTED)) {
    lines.push(`~ ${d.id}  from ${d.sender || '<>'} to ${d.recipients.join(', ')}${d.subject ? `  "${d.subject}"` : ''}`, `    ${handlingText(d.before)} → ${handlingText(d.after)}`);
  }
  if (r.diffs.length > MAX_LISTED) lines.push(`  … and ${r.diffs.length - MAX_LISTED} more (--format json lists them all)`);
  if (r.policies.length > 0) {
    lines.push('', 'by policy:');
    for (const p of r.policies) lines.push(`  ${p.policy}${p.file ? ` (${p.file}${p.line > 0 ? `:${p.line}` : ''})` : ''}: ${impactText(p)}`);
  }
  for (const u of r.unreadable) lines.push(`! ${u.id}: ${u.message}`);
  lines.push('', summaryOf(r));
  return `${lines.join('\n')}\n`;
}

/** Table cells: pipes, newlines and HTML-significant characters escaped so a subject cannot break the table. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '\\`');
}

function markdownReport(r: ReplayReport): string {
  const lines = ['### relayguard replay', '', `${summaryOf(r)} (\`${r.before.revision.slice(0, 12)}\` → \`${r.after.revision.slice(0, 12)}\`).`, ''];
  if (r.policies.length > 0) {
    lines.push('| policy | newly blocked | no longer blocked | changed action | newly matched | no longer matched |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const p of r.policies) lines.push(`| ${cell(p.policy)} | ${p.newlyBlocked} | ${p.noLongerBlocked} | ${p.changedAction} | ${p.newlyMatched} | ${p.noLongerMatched} |`);
    lines.push('');
  }
  if (r.diffs.length > 0) {
    lines.push('<details><summary>Messages handled differently</summary>', '', '| message | sender | before | after |', '| --- | --- | --- | --- |');
    for (const d of r.diffs.slice(0, MAX_LISTED)) lines.push(messageRow(d));
    if (r.diffs.length > MAX_LISTED) lines.push(`| … ${r.diffs.length - MAX_LISTED} more | | | |`);
    lines.push('', '</details>', '');
  } else {
    lines.push('No message in the corpus is handled differently.', '');
  }
  return lines.join('\n');
}

function messageRow(d: MessageDiff): string {
  return `| ${cell(d.id)}${d.subject ? `<br>${cell(d.subject)}` : ''} | ${cell(d.sender || '<>')} | ${cell(handlingText(d.before))} | ${cell(handlingText(d.after))} |`;
}

// Workflow-command escaping as the GitHub Actions toolkit does it.
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function githubReport(r: ReplayReport): string {
  const lines = r.policies.map((p) => {
    const props = [...(p.file ? [`file=${escapeProperty(p.file)}`] : []), ...(p.line > 0 ? [`line=${p.line}`] : []), `title=${escapeProperty(`relayguard replay: ${p.policy}`)}`];
    return `::warning ${props.join(',')}::${escapeData(`policy ${p.policy}: ${impactText(p)} in the replay corpus`)}`;
  });
  lines.push(`::notice title=relayguard replay::${escapeData(summaryOf(r))}`);
  return `${lines.join('\n')}\n`;
}

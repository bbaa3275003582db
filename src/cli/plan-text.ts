/**
 * What `--dry-run` prints for a person: every action the run would take, grouped (encode, retag,
 * delete, orphan, keep, skip, fail), each with its reason, then the totals and the exact ffmpeg
 * command lines. Pure: the plan in, the text out. `--dry-run --json` prints the same as data.
 */
import { ACTION_ORDER, planTotals } from '../run/actions.js';
import type { PlannedAction } from '../model.js';

const HEADINGS: Record<PlannedAction['action'], string> = {
  encode: 'encode',
  retag: 'retag (tags and art rewritten, audio untouched)',
  delete: 'delete (orphans: audiofan made them, nothing needs them now)',
  orphan: 'orphan (kept: nothing needs them now; --delete removes them)',
  keep: 'keep (up to date)',
  skip: 'skip',
  fail: 'fail',
};

/** One line per action: the output (or, with none, the source) and why. */
function line(a: PlannedAction): string {
  return `  ${a.path ?? a.source}  (${a.reason})`;
}

/** The dry run's report: the groups, the totals, and the commands (as shell lines, already quoted). */
export function planText(actions: PlannedAction[], commands: string[], outDir?: string): string {
  const totals = planTotals(actions);
  const out: string[] = [`# dry run${outDir ? ` for ${outDir}` : ''}: nothing is written`];
  for (const kind of ACTION_ORDER) {
    const of = actions.filter((a) => a.action === kind);
    if (!of.length) continue;
    out.push('', `${HEADINGS[kind]}: ${of.length}`, ...of.map(line));
  }
  const work = totals.encode + totals.retag + totals.delete;
  out.push(
    '',
    `Totals: ${ACTION_ORDER.map((k) => `${totals[k]} ${k}`).join(', ')}.`,
    work ? `${work} change(s) to make.` : 'Nothing to encode, retag or delete.',
  );
  if (commands.length) out.push('', `# ffmpeg commands (${commands.length}):`, ...commands);
  return `${out.join('\n')}\n`;
}

/**
 * The README's option table, made from the option table: one row per flag, with its config-file key,
 * environment variable and default. `npm run docs` writes it between the README's markers; a test
 * fails when the README says anything else.
 */
import { CLI_FLAGS, configKey, OPTIONS, type OptionSpec } from './option-table.js';

export const DOCS_START = '<!-- options: made by `npm run docs` from src/run/option-table.ts -->';
export const DOCS_END = '<!-- /options -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The markdown table (without the markers). */
export function optionsMarkdown(): string {
  const rows = (Object.entries({ ...OPTIONS, ...CLI_FLAGS }) as [string, OptionSpec][]).filter(([, s]) => s.flag);
  const lines = ['| flag | config key | environment | meaning |', '| --- | --- | --- | --- |'];
  for (const [key, s] of rows) {
    // A CLI flag has a config key only when its row names one (logFile).
    const c = s.cliOnly && typeof s.config !== 'string' ? undefined : configKey(key, s);
    const def = s.defaultText && !s.negate ? ` (default: ${s.defaultText})` : '';
    lines.push(
      `| \`${cell(s.flag!)}\` | ${c ? `\`${c}\`` : ''} | ${s.env ? `\`${s.env}\`` : ''} | ` +
        `${cell(s.help)}${cell(def)} |`,
    );
  }
  const inline = (Object.entries(OPTIONS) as [string, OptionSpec][]).filter(([k, s]) => !s.flag && configKey(k, s));
  for (const [key, s] of inline) lines.push(`| | \`${configKey(key, s)}\` | | ${cell(s.help)} (config file only) |`);
  return lines.join('\n');
}

/** The README text with its option table replaced by the one made from the table. */
export function withOptionsTable(readme: string): string {
  const a = readme.indexOf(DOCS_START);
  const b = readme.indexOf(DOCS_END);
  if (a < 0 || b < a) throw new Error(`README has no option-table markers (${DOCS_START} ... ${DOCS_END})`);
  return `${readme.slice(0, a + DOCS_START.length)}\n${optionsMarkdown()}\n${readme.slice(b)}`;
}

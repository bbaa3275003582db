/**
 * The man page (audiofan.1), made from the option table like the README's option table, so `man audiofan`
 * never drifts from `--help`. `npm run docs` writes it; a test fails when the shipped file says anything else.
 */
import { CLI_FLAGS, configKey, OPTIONS, type OptionSpec } from './option-table.js';

/** The subcommands, for the man page and shell completion: name, operands, one line. */
export const COMMANDS: readonly { name: string; args: string; help: string }[] = [
  { name: 'adopt', args: '<source...>', help: 'record existing outputs whose audio matches the source, then convert' },
  { name: 'presets', args: '', help: "list presets (built-in, --presets-dir, the config's definePresets)" },
  { name: 'doctor', args: '', help: 'which ffmpeg, where from, its version, and whether it has the needed encoders' },
  { name: 'demo', args: '[dir]', help: 'make a demo library in dir (default ./audiofan-demo) and convert it' },
  { name: 'completion', args: '<bash|zsh|fish>', help: 'print a shell completion script' },
  {
    name: 'serve',
    args: '<source...> --cache <dir>',
    help: 'browse the library in a browser; download any track or album in any preset, encoded on demand and cached',
  },
  {
    name: 'worker',
    args: '--queue <url>',
    help: 'take the jobs of runs started with --queue (BullMQ on Redis), on this machine',
  },
];

/** Every row with a flag, library options first. */
export const FLAG_ROWS = (): [string, OptionSpec][] =>
  (Object.entries({ ...OPTIONS, ...CLI_FLAGS }) as [string, OptionSpec][]).filter(([, s]) => s.flag);

/** roff-safe text: backslashes doubled, a leading dot or quote escaped, markdown dropped. */
const roff = (s: string) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/-/g, '\\-')
    .replace(/`/g, '')
    .replace(/\[([^\]]+)\]\(#[^)]*\)/g, '$1')
    .replace(/^([.'])/gm, '\\&$1');

/** The whole page, in man(7) macros. */
export function manPage(version: string): string {
  const out = [
    `.TH AUDIOFAN 1 "" "audiofan ${version}" "User Commands"`,
    '.SH NAME',
    'audiofan \\- convert a lossless music library into tagged FLAC, MP3 and Opus copies, incrementally',
    '.SH SYNOPSIS',
    '.B audiofan',
    '.I source...',
    '.B \\-o',
    '.I dir',
    '[\\fIoptions\\fR]',
    ...COMMANDS.flatMap((c) => ['.br', `.B audiofan ${c.name}`, ...(c.args ? [`.I ${roff(c.args)}`] : [])]),
    '.SH DESCRIPTION',
    'One lossless source in; a tree of tagged copies out, plus a manifest of what was made. ' +
      'Run it again and only what changed is redone. Sources are folders (walked recursively) or files.',
    '.SH COMMANDS',
    ...COMMANDS.flatMap((c) => ['.TP', `.B ${c.name} ${roff(c.args)}`.trimEnd(), roff(c.help)]),
    '.SH OPTIONS',
  ];
  for (const [key, s] of FLAG_ROWS()) {
    const c = s.cliOnly && typeof s.config !== 'string' ? undefined : configKey(key, s);
    const extra = [
      s.defaultText && !s.negate ? `Default: ${s.defaultText}.` : '',
      c ? `Config key: ${c}.` : '',
      s.env ? `Environment: ${s.env}.` : '',
    ].filter(Boolean);
    out.push('.TP', `.B ${roff(s.flag!)}`, roff(`${s.help}.${extra.length ? ` ${extra.join(' ')}` : ''}`));
  }
  out.push(
    '.SH CONFIG FILE',
    '--config FILE (or AUDIOFAN_CONFIG) reads a JSON object whose keys are the config keys above, plus ' +
      roff('sources (a list of folders or files) and definePresets (presets as objects). ') +
      'Settings are taken in this order, later winning: defaults, config file, environment, flags.',
    '.SH EXIT STATUS',
    '0 all done; 1 some files failed; 2 usage or configuration error; 74 the manifest could not be written; ' +
      '75 another run is using the output folder; 130 interrupted; 70 a bug in audiofan.',
    '.SH EXAMPLES',
    '.nf',
    roff('audiofan ~/Music -o ~/Lossy -p mp3-v0,opus-128'),
    roff('audiofan ~/Music/album.flac -o /sdcard/Music -p opus-96 --flat'),
    roff('audiofan --config /etc/audiofan.json --log-file /var/log/audiofan.ndjson'),
    '.fi',
    '.SH SEE ALSO',
    'ffmpeg(1)',
    '',
  );
  return out.join('\n');
}

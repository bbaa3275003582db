/**
 * The one table of options. From it come the library's option types (ConvertOptions) and defaults,
 * the one validator, the CLI flags and their help, the config-file keys, the environment variables,
 * and the README's option table (a test fails when the README drifts from it). To add an option, add a
 * row here; nothing else lists options.
 */
import { bool, int, objects, oneOf, text, texts, type Check } from '../checks.js';
import { FS_PROFILES, type FsProfile } from '../plan/fs-profile.js';
import { maxDeleteCheck } from '../plan/delete-guard.js';
import { queueSettingsProblem, redactUrl, type QueueSettings } from '../queue/url.js';

/** A row. `T` is the option's value type in ConvertOptions (carried by the phantom `type` field). */
export interface OptionSpec<T = unknown> {
  /** Phantom: only its type is used (see `of`). */
  readonly type?: T;
  /** commander's flag syntax, e.g. "-o, --output <dir>"; absent for library-only options. */
  readonly flag?: string;
  /** The flag turns the option off (--no-loudness). */
  readonly negate?: boolean;
  /** The flag may be repeated, each giving one more value (--presets-dir a --presets-dir b). */
  readonly repeat?: boolean;
  /** The config-file key (default: the option's name); false: not in config files. */
  readonly config?: string | false;
  /** The environment variable that sets it. */
  readonly env?: string;
  /** Where several layers give values, they add up (folders) instead of the later replacing the earlier. */
  readonly append?: boolean;
  /** A config file may give it as text too (comma-separated ids), read like a flag. */
  readonly configText?: boolean;
  /** How a flag's or variable's text is shown in messages (default: as given; a URL loses its password). */
  readonly showText?: (s: string) => string;
  /** From the text of a flag or an environment variable to a value (default: the text itself). */
  readonly fromText?: (s: string) => unknown;
  /** Why a value is not acceptable, or undefined; shared by config files, flags, environment and the library. */
  readonly check: Check;
  /** The default, as the library applies it (undefined: none, or decided at run time). */
  readonly default?: T;
  /** The default as the docs say it. */
  readonly defaultText?: string;
  /** One line: CLI help and the README table. */
  readonly help: string;
  /** A CLI presentation flag (not a library option): --json, --quiet, --config. */
  readonly cliOnly?: boolean;
}

const of = <T>(spec: OptionSpec<T>): OptionSpec<T> => spec;

/** Ids separated by commas, as flags and environment variables give them. */
export const idList = (v: string | string[]): string[] =>
  (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
/** At least one id, as a list. */
const idsList: Check = (v) =>
  texts(v) ?? ((v as unknown[]).length ? undefined : 'expected at least one id, got an empty list');
const number = (s: string): unknown => (/^-?\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : s);

export const OPTIONS = {
  /** Output folder; outputs go to <output>/<preset-id>/... Required. */
  output: of<string>({
    flag: '-o, --output <dir>',
    check: text,
    help: 'output folder: `<dir>/<preset-id>/<source path>.<ext>`, plus `<dir>/audiofan-manifest.json`',
  }),
  /** Preset ids. Default: ["mp3-v0", "opus-128"]. */
  presets: of<string[]>({
    flag: '-p, --presets <ids>',
    env: 'AUDIOFAN_PRESETS',
    configText: true,
    fromText: idList,
    check: idsList,
    default: ['mp3-v0', 'opus-128'],
    defaultText: '`mp3-v0,opus-128`',
    help: 'comma-separated preset ids (see `audiofan presets`)',
  }),
  /** Jobs (ffmpeg processes) at once. Default: os.availableParallelism(). */
  jobs: of<number>({
    flag: '-j, --jobs <n>',
    env: 'AUDIOFAN_JOBS',
    fromText: number,
    check: int(1, 256),
    defaultText: 'CPU count',
    help: 'ffmpeg processes at once',
  }),
  /** Plan and report the exact ffmpeg commands; write nothing. Default false. */
  dryRun: of<boolean>({
    flag: '--dry-run',
    config: false,
    check: bool,
    default: false,
    help:
      'print every action it would take (encode, retag, delete, keep, skip, fail) with its reason, the totals and ' +
      'the exact ffmpeg command lines; write nothing (`--json`: the same as JSON)',
  }),
  /** Re-encode every output even when up to date (and replace files audiofan did not make). Default false. */
  force: of<boolean>({
    flag: '--force',
    config: false,
    check: bool,
    default: false,
    help: 're-encode every output even when up to date, replace files audiofan did not make, lift --max-delete',
  }),
  /** Create the output folder if it does not exist. Default false: a missing folder (an unmounted disk) is an error. */
  create: of<boolean>({
    flag: '--create',
    check: bool,
    default: false,
    help: 'create the output folder if missing (default: refuse: it may be an unmounted disk)',
  }),
  /** Delete outputs audiofan made whose source is gone or no longer selected, then empty folders. Default false. */
  delete: of<boolean>({
    flag: '--delete',
    check: bool,
    default: false,
    help: 'delete orphaned outputs (source gone or preset dropped), then emptied folders',
  }),
  /** Most orphans one run may delete: a count, or "N%" of the outputs. Default "10%" (and never all of them). */
  maxDelete: of<number | string>({
    flag: '--max-delete <n>',
    check: maxDeleteCheck,
    defaultText: '10%, and never all',
    help: 'with `--delete`: at most N outputs, or N% of them; more is refused',
  }),
  /** Re-encode outputs made by another ffmpeg version. Default false: they are kept and reported. */
  reencodeOnEncoderChange: of<boolean>({
    flag: '--reencode-on-encoder-change',
    check: bool,
    default: false,
    help: 're-encode outputs made by another ffmpeg version (default: keep them and say so)',
  }),
  /** Folders of extra *.json presets; same id overrides a built-in. Default none. */
  presetDirs: of<string[]>({
    flag: '--presets-dir <dir>',
    repeat: true,
    env: 'AUDIOFAN_PRESETS_DIR',
    append: true,
    fromText: (s) => s.split(':').filter(Boolean),
    check: texts,
    default: [],
    help:
      'a folder of your own preset files (repeat for more; the variable takes `:`-separated folders); ' +
      'same id replaces a built-in',
  }),
  /** Presets given as objects, same fields as presets/*.json (config key "definePresets"). Default none. */
  extraPresets: of<unknown[]>({
    config: 'definePresets',
    check: objects,
    default: [],
    help: 'presets defined inline, as objects',
  }),
  /** ffmpeg binary. Default: FFMPEG_PATH, ffmpeg-static, PATH, @ffmpeg-installer, in that order. */
  ffmpegPath: of<string>({
    flag: '--ffmpeg <path>',
    config: 'ffmpeg',
    env: 'FFMPEG_PATH',
    check: text,
    defaultText: 'ffmpeg-static, `PATH`, @ffmpeg-installer',
    help: 'the ffmpeg binary to use',
  }),
  /** Follow symbolic links to folders while scanning. Default false. */
  followSymlinks: of<boolean>({
    flag: '--follow-symlinks',
    check: bool,
    default: false,
    help: 'follow symbolic links to folders while scanning (default: listed, not followed)',
  }),
  /** ID3v2 version for MP3 outputs: 4 (UTF-8, multi-valued frames) or 3 (for old players). Default 4. */
  id3v2Version: of<3 | 4>({
    flag: '--id3v2 <3|4>',
    config: 'id3v2',
    fromText: number,
    check: oneOf(3, 4),
    default: 4,
    defaultText: '4',
    help: 'ID3v2 version for MP3',
  }),
  /** Measure EBU R128 loudness and write ReplayGain 2.0 / R128 tags. Default true. */
  loudness: of<boolean>({
    flag: '--no-loudness',
    negate: true,
    check: bool,
    default: true,
    help: 'do not measure loudness or write ReplayGain / R128 tags',
  }),
  /** ReplayGain peaks as true peak (4x oversampled) instead of sample peak. Default false. */
  truePeak: of<boolean>({
    flag: '--true-peak',
    check: bool,
    default: false,
    help: "ReplayGain peaks as true peak (inter-sample, 4x oversampled; about twice the meter's CPU) instead of sample peak",
  }),
  /** Make outputs of damaged masters (decode errors, STREAMINFO MD5 mismatch) anyway, flagged. Default false. */
  acceptDamaged: of<boolean>({
    flag: '--accept-damaged',
    check: bool,
    default: false,
    help: 'convert damaged masters anyway (decode errors, FLAC MD5 mismatch); the manifest and summary name them',
  }),
  /** Scale covers larger than this many pixels (either side) down to fit, as JPEG. Default: no limit. */
  artMaxSize: of<number>({
    flag: '--art-max-size <px>',
    fromText: number,
    check: int(16, 10000, 'pixels'),
    help: 'scale larger covers down to fit (JPEG)',
  }),
  /** Output path template, e.g. "{albumartist}/{album}/{disc}-{track:02} {title}". Default: mirror the source tree. */
  layout: of<string>({
    flag: '--layout <template>',
    check: text,
    defaultText: 'mirror the sources',
    help: 'name outputs from tags (see [Output names](#output-names))',
  }),
  /** Which filesystems output names must be valid on. Default "universal" (all of them). */
  fsProfile: of<FsProfile>({
    flag: '--fs-profile <name>',
    check: oneOf(...FS_PROFILES),
    default: 'universal',
    defaultText: '`universal`, valid everywhere',
    help: `make names valid on: ${FS_PROFILES.map((p) => `\`${p}\``).join(', ')}`,
  }),
  /** Hand jobs to `audiofan worker` machines through BullMQ on Redis. Default: none (jobs run on this machine). */
  queue: of<QueueSettings>({
    flag: '--queue <url>',
    env: 'AUDIOFAN_QUEUE',
    configText: true,
    fromText: (s) => ({ connection: s }),
    showText: redactUrl,
    check: queueSettingsProblem,
    defaultText: 'none: jobs run on this machine',
    help:
      'hand jobs to `audiofan worker` machines through Redis: `redis://[user:pass@]host:6379/0`, `rediss://` for TLS ' +
      '(see [Many machines](#many-machines))',
  }),
  /** Source folders or files, as a config file may give them (command-line operands add to them). */
  sources: of<string[]>({
    check: texts,
    append: true,
    help: "source folders or files (the command line's operands are added to them)",
  }),
  /** Globs of source paths to leave out, relative to each source folder (picomatch syntax). Default none. */
  exclude: of<string[]>({
    flag: '--exclude <glob>',
    repeat: true,
    append: true,
    fromText: (s) => [s],
    check: texts,
    default: [],
    help:
      'leave out source paths matching this glob, relative to each source folder (repeat for more); ' +
      'outputs made from them before become orphans',
  }),
  /** Lossy masters: "skip" them (reported), or "copy" them unchanged into presets whose container holds their codec. */
  lossy: of<'copy' | 'skip'>({
    flag: '--lossy <copy|skip>',
    check: oneOf('copy', 'skip'),
    default: 'skip',
    defaultText: '`skip`, reported',
    help: 'lossy masters: `copy` them unchanged into presets of their format (mp3 into mp3 presets…), else skip them',
  }),
  /** Globs of non-audio files (covers, cue sheets, logs) to copy beside each preset's outputs. Default none. */
  extras: of<string[]>({
    flag: '--extras <glob>',
    repeat: true,
    append: true,
    fromText: (s) => [s],
    check: texts,
    default: [],
    help:
      "copy non-audio files matching this glob (`cover.jpg`, `*.cue`, `*.log`, `*.pdf`) beside each preset's " +
      'outputs, kept in sync and pruned like them (repeat for more)',
  }),
  /** Put one preset's outputs straight in the output folder, without the `<preset-id>/` level. Default false. */
  flat: of<boolean>({
    flag: '--flat',
    check: bool,
    default: false,
    help: 'no `<preset-id>/` folder level (one preset, or presets with different extensions)',
  }),
  /** Milliseconds between SIGTERM and SIGKILL for ffmpeg on cancel. Default 2000. */
  killGraceMs: of<number>({
    config: false,
    check: int(0, 600_000, 'milliseconds'),
    default: 2000,
    help: 'milliseconds between SIGTERM and SIGKILL for ffmpeg on cancel',
  }),
  /** Record files found at output paths whose codec and length match the source as audiofan's own. Default false. */
  adopt: of<boolean>({
    config: false,
    check: bool,
    default: false,
    help: "record files at output paths whose codec and length match the source as audiofan's (`audiofan adopt`)",
  }),
} satisfies Record<string, OptionSpec>;

/** CLI presentation flags: not library options, but part of the one table the help and README come from. */
export const CLI_FLAGS = {
  json: of<boolean>({
    flag: '--json',
    cliOnly: true,
    config: false,
    check: bool,
    help: 'NDJSON logs on stderr even on a terminal',
  }),
  quiet: of<boolean>({
    flag: '-q, --quiet',
    cliOnly: true,
    config: false,
    check: bool,
    help: 'no progress bar or summary table; log only warnings, errors and the summary line',
  }),
  logFile: of<string>({
    flag: '--log-file <path>',
    cliOnly: true,
    config: 'logFile',
    check: text,
    help: 'also append the NDJSON log lines to this file (for cron without shell redirection)',
  }),
  config: of<string>({
    flag: '--config <file>',
    cliOnly: true,
    config: false,
    env: 'AUDIOFAN_CONFIG',
    check: text,
    help: 'JSON config file (keys below; see [Config file](#config-file))',
  }),
} satisfies Record<string, OptionSpec>;

export type OptionKey = keyof typeof OPTIONS;

/** The library options the table defines, each optional, with the type of its row. */
export type TableOptions = { -readonly [K in OptionKey]?: NonNullable<(typeof OPTIONS)[K]['type']> };

/** A row's config-file key, or undefined when it has none. */
export function configKey(key: string, spec: OptionSpec): string | undefined {
  return spec.config === false ? undefined : (spec.config ?? key);
}

/** commander's attribute name for a flag ("--presets-dir <dir>" -> presetsDir, "--no-loudness" -> loudness). */
export function flagAttribute(flag: string): string {
  const long = /--(?:no-)?([a-z0-9-]+)/.exec(flag)![1];
  return long.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The long form of a flag, for messages ("--jobs"). */
export function longFlag(flag: string): string {
  return /--[a-z0-9-]+/.exec(flag)![0];
}

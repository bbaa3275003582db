/**
 * Which encoder arguments a preset may pass: option/value pairs that tune the encoder and nothing else,
 * so a preset (a shared JSON file) can never make ffmpeg read, write or overwrite a file of its choosing.
 */

/** Options a preset may not pass: they would remap, trim, seek, re-target or re-tag the output. */
const RESERVED_ARGS =
  /^-(t|to|ss|sseof|fs|frames(:a)?|aframes|shortest|map|map_metadata|map_chapters|f|i|y|n|metadata(:.*)?|vn|an)$/;

/** An option: a dash, then a name (and an optional stream specifier). "-/opt" (value from a file) never matches. */
const OPTION_SHAPE = /^-[a-z][a-z0-9_:.]*$/i;

const FILE_OPTIONS = [
  'passlogfile',
  'pass',
  'vstats',
  'vstats_file',
  'report',
  'attach',
  'dump_attachment',
  'filter_script',
  'filter_complex_script',
  'sdp_file',
  'progress',
  'stats_enc_pre',
  'stats_enc_post',
  'stats_mux_pre',
  'stats_enc_pre_fmt',
  'stats_enc_post_fmt',
  'stats_mux_pre_fmt',
  'fpre',
  'apre',
  'vpre',
  'spre',
  'pre',
  'print_graphs_file',
  'i',
];

/**
 * ffmpeg's own switches that take no value. Every other option consumes exactly one value (an encoder's
 * options always do), which is how pairs are read here; a switch would shift ffmpeg's reading by one and
 * turn the next element into an output file. None is needed by a built-in preset.
 */
const SWITCHES = [
  'y',
  'n',
  'hide_banner',
  'stdin',
  'stats',
  'benchmark',
  'benchmark_all',
  'xerror',
  'debug_ts',
  'dump',
  'hex',
  'copyts',
  'start_at_zero',
  'shortest',
  're',
  'accurate_seek',
  'vn',
  'an',
  'sn',
  'dn',
  'psnr',
  'qphist',
  'copyinkf',
  'autorotate',
  'autoscale',
  'fix_sub_duration',
  'ignore_unknown',
  'copy_unknown',
  'intra',
  'sameq',
  'same_quant',
  'deinterlace',
  'isync',
  'print_graphs',
  'find_stream_info',
  'h',
  'help',
  'version',
  'buildconf',
  'formats',
  'muxers',
  'demuxers',
  'devices',
  'codecs',
  'decoders',
  'encoders',
  'bsfs',
  'protocols',
  'filters',
  'pix_fmts',
  'layouts',
  'sample_fmts',
  'dispositions',
  'colors',
  'sources',
  'sinks',
  'hwaccels',
  'L',
  'exit_on_error',
  'override_ffserver',
  'seek_timestamp',
  'bitexact',
];

/** Set by audiofan itself for every output; a preset changing them would break what audiofan checks or writes. */
const OWN_OPTIONS = [
  'c',
  'codec',
  'acodec',
  'vcodec',
  'scodec',
  'dcodec',
  'filter',
  'filter_complex',
  'lavfi',
  'af',
  'vf',
  'bsf',
  'absf',
  'target',
  'loglevel',
  'v',
  'stream_loop',
  'itsoffset',
  'itsscale',
  'timelimit',
  'max_alloc',
  'cpuflags',
  'cpucount',
  'abort_on',
  'filter_threads',
  'filter_complex_threads',
  'program',
  'stream_group',
  'streamid',
  'init_hw_device',
];

const why = new Map<string, string>([
  ...FILE_OPTIONS.map((o) => [o, 'it names a file or URL that ffmpeg would read or write'] as const),
  ...[...SWITCHES, ...SWITCHES.map((o) => `no${o}`)].map(
    (o) =>
      [o, 'it is an ffmpeg switch without a value, so ffmpeg would take the next argument as an output file'] as const,
  ),
  ...OWN_OPTIONS.map((o) => [o, 'audiofan itself sets the codec, filters, container, logging and inputs'] as const),
]);

function optionProblem(arg: string): string | undefined {
  if (RESERVED_ARGS.test(arg)) {
    return (
      'audiofan itself decides stream mapping, duration, container, metadata and output files ' +
      '(a preset that trims audio would also defeat its length check)'
    );
  }
  if (!OPTION_SHAPE.test(arg)) {
    return arg.startsWith('-')
      ? 'it is not an option name audiofan accepts (a dash, a letter, then letters, digits, _ : .)'
      : 'a bare argument where an option belongs is one more output file to ffmpeg';
  }
  return why.get(arg.slice(1).split(':')[0]);
}

function valueProblem(arg: string): string | undefined {
  if (arg.startsWith('-') && !/^-\d+(\.\d+)?$/.test(arg)) return 'it looks like an option where a value belongs';
  if (/[/\\]/.test(arg)) return 'it looks like a file path, and a preset may not name files';
  if (/^[a-z][a-z0-9+.-]*:/i.test(arg)) return 'it looks like a URL, and a preset may not name files or streams';
  if (/\.[a-z][a-z0-9]{0,7}$/i.test(arg)) return 'it looks like a file name, and a preset may not name files';
  return undefined;
}

export interface ArgProblem {
  index: number;
  arg: string;
  kind: 'refused' | 'unpaired';
  why: string;
}

/** The first argument that breaks the option/value rules; undefined when all are fine. */
export function encoderArgsProblem(args: string[]): ArgProblem | undefined {
  for (let i = 0; i < args.length; i += 2) {
    const problem = optionProblem(args[i]);
    if (problem) return { index: i, arg: args[i], kind: 'refused', why: problem };
    if (i + 1 >= args.length)
      return { index: i, arg: args[i], kind: 'unpaired', why: 'options come in option, value pairs' };
    const v = valueProblem(args[i + 1]);
    if (v) return { index: i + 1, arg: args[i + 1], kind: 'refused', why: `${v} (it is the value of ${args[i]})` };
  }
  return undefined;
}

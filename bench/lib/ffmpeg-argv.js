/**
 * An ffmpeg argv read back into its parts (input options and input, then each output's options and target), what
 * each output does (an encoder, the loudness meter, a hash), and the isolated passes bench/profile.js derives from
 * an audiofan run's real commands to split its CPU by part.
 */

/** Options that take no value (everything else in audiofan's commands is `-option value`). */
const FLAGS = new Set(['-y', '-n', '-vn', '-an', '-sn', '-dn', '-nostdin', '-hide_banner', '-nostats', '-stats']);
const isOption = (t) => t.startsWith('-') && t.length > 1 && !/^-\d/.test(t);

/**
 * Split an argv (without the binary) into { input: [...options, '-i', input], inputPath, outputs: [{ args, target }] }.
 * inputPath is the input with any `file:` prefix removed; outputs is empty for a command with none (`ffmpeg -i x`).
 */
export function splitArgv(argv) {
  const i = argv.indexOf('-i');
  if (i < 0 || i + 1 >= argv.length) return { input: argv, inputPath: undefined, outputs: [] };
  const input = argv.slice(0, i + 2);
  const outputs = [];
  let args = [];
  for (let k = i + 2; k < argv.length; k++) {
    const t = argv[k];
    if (isOption(t)) {
      args.push(t);
      if (!FLAGS.has(t) && k + 1 < argv.length) args.push(argv[++k]);
    } else {
      outputs.push({ args, target: t });
      args = [];
    }
  }
  return { input, inputPath: argv[i + 1].replace(/^file:/, ''), outputs };
}

/** The value of the last `name` (or one of its aliases) in args. */
function optionValue(args, ...names) {
  let v;
  for (let k = 0; k < args.length - 1; k++) if (names.includes(args[k])) v = args[k + 1];
  return v;
}

/** What one output of audiofan's run does: { kind: 'encoder' | 'loudness' | 'hash' | 'other', codec, filter, rate }. */
export function outputKind(o) {
  const filter = optionValue(o.args, '-af', '-filter:a', '-filter:a:0');
  if (optionValue(o.args, '-f') === 'md5') return { kind: 'hash' };
  if (filter?.includes('ebur128')) return { kind: 'loudness', filter };
  const codec = optionValue(o.args, '-c:a', '-acodec', '-codec:a', '-c');
  if (codec) return { kind: 'encoder', codec, filter, rate: optionValue(o.args, '-ar') };
  return { kind: 'other' };
}

/** Arguments that shape the samples an encoder is given (its filters, rate, channels, format), without the encoder. */
const SHAPING = new Set(['-map', '-af', '-filter:a', '-filter:a:0', '-ar', '-ac', '-sample_fmt', '-ch_layout']);
export function shapingArgs(args) {
  const out = [];
  for (let k = 0; k < args.length; k++) {
    if (!isOption(args[k]) || FLAGS.has(args[k])) continue;
    if (SHAPING.has(args[k])) out.push(args[k], args[k + 1]);
    k++;
  }
  return out;
}

const NULL_OUT = ['-f', 'null', 'pipe:1'];

/**
 * The isolated passes of one main run, by name, each an argv:
 *   start: open and probe the input, decode one frame;  decode: decode it all;
 *   enc:<key>: decode + that output as audiofan makes it (to `scratch(key)`);
 *   shape:<key>: decode + that output's filters, rate and format, into a null PCM sink (only when it has any);
 *   loudness: decode + the loudness meter;  hash: decode + every master hash;
 *   replica: the command itself, its files written to `scratch(...)` (the passes' sum is compared with it).
 * `keyOf(output)` names an output across runs (its preset).
 */
export function passesOf(split, keyOf, scratch) {
  const { input, outputs } = split;
  const passes = {
    start: [...input, '-map', '0:a:0', '-frames:a', '1', ...NULL_OUT],
    decode: [...input, '-map', '0:a:0', ...NULL_OUT],
  };
  const hashes = [];
  for (const o of outputs) {
    const k = outputKind(o);
    if (k.kind === 'encoder') {
      const key = keyOf(o);
      passes[`enc:${key}`] = [...input, ...o.args, `file:${scratch(key)}`];
      const shaping = shapingArgs(o.args);
      if (shaping.some((t) => t !== '-map' && !t.startsWith('0:')))
        passes[`shape:${key}`] = [...input, ...shaping, '-c:a', 'pcm_f32le', ...NULL_OUT];
    } else if (k.kind === 'loudness') passes.loudness = [...input, ...o.args, o.target];
    else if (k.kind === 'hash') hashes.push(...o.args, o.target);
  }
  if (hashes.length) passes.hash = [...input, ...hashes];
  passes.replica = [
    ...input,
    ...outputs.flatMap((o, i) => [
      ...o.args,
      o.target.startsWith('file:') ? `file:${scratch(`replica-${i}`)}` : o.target,
    ]),
  ];
  return passes;
}

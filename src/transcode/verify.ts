/**
 * Proof that a lossless output is bit-exact: its file is decoded again and the MD5 of its samples, in the
 * format the plan chose, must equal the master's, computed during the encode. Decoding the file (not trusting
 * the MD5 the encoder put in its STREAMINFO, which hashes the encoder's input) proves what a player will get.
 */
import { ffmpegStdout } from '../ffmpeg/adapter.js';
import { runCommand } from '../ffmpeg/adapter.js';
import { PCM_CODEC, type PcmFormat } from '../sources/sample-format.js';
import { parseMd5Lines } from './hash-plan.js';
import { INPUT_ARGS, logDirBeside, type JobOutput, type OutputResult, type TranscodeJob } from './job.js';

/** MD5 of a file's decoded samples in `format` (ffmpeg's md5 muxer). */
export async function decodedMd5(ffmpegPath: string, path: string, format: PcmFormat): Promise<string> {
  const args = ['-i', `file:${path}`, '-map', '0:a:0', '-c:a', PCM_CODEC[format], '-f', 'md5', 'pipe:1'];
  const md5 = parseMd5Lines(await ffmpegStdout(ffmpegPath, args))[0];
  if (!md5) throw new Error(`ffmpeg gave no MD5 for ${path}`);
  return md5;
}

export type Proof =
  | { kind: 'exact'; pcmMd5: string }
  /** The master needs more bits than the target stores, and the preset allows a dithered copy. */
  | { kind: 'reduce'; args: string[]; warning: string }
  | { kind: 'failed'; result: OutputResult };

/** Compare an output with its master's hash; what to do when they differ depends on why they may. */
export async function proveBitExact(
  ffmpegPath: string,
  source: string,
  o: JobOutput & { bitExact: NonNullable<JobOutput['bitExact']> },
  masterMd5: string | undefined,
): Promise<Proof> {
  const { format, mayNotFit, reduceArgs } = o.bitExact;
  const fail = (code: OutputResult['code'], message: string): Proof => ({
    kind: 'failed',
    result: { key: o.key, status: 'failed', code, message },
  });
  if (!masterMd5)
    return fail('E_OUTPUT_NOT_BITEXACT', `${o.final}: cannot be proven bit-exact: ffmpeg gave no hash of ${source}`);
  let md5: string;
  try {
    md5 = await decodedMd5(ffmpegPath, o.temp, format);
  } catch (e) {
    return fail('E_OUTPUT_INVALID', `${o.final}: the encoded file cannot be decoded again: ${(e as Error).message}`);
  }
  if (md5 === masterMd5) return { kind: 'exact', pcmMd5: `${format}:${md5}` };
  if (mayNotFit && reduceArgs)
    return {
      kind: 'reduce',
      args: reduceArgs,
      warning: `depth reduced with dither (allowReduceDepth): the samples of this ${mayNotFit} do not fit`,
    };
  if (mayNotFit)
    return fail(
      'E_SOURCE_DEPTH',
      `${source}: its samples do not fit: ${mayNotFit} would lose bits, and ffmpeg here cannot store more ` +
        '(set "allowReduceDepth": true in a preset of your own to accept a dithered copy)',
    );
  return fail(
    'E_OUTPUT_NOT_BITEXACT',
    `${o.final}: not bit-exact: its decoded samples (${format} MD5 ${md5}) differ from ${source}'s (${masterMd5})`,
  );
}

/** Encode one output again with other arguments (the dithered reduction); a failure is the output's. */
export async function reencode(
  job: TranscodeJob,
  o: JobOutput,
  args: string[],
  signal: AbortSignal,
): Promise<OutputResult | undefined> {
  const spec = {
    input: `file:${job.source.path}`,
    inputArgs: INPUT_ARGS,
    outputs: [{ target: `file:${o.temp}`, args }],
    logDir: logDirBeside(o.temp),
  };
  const run = await runCommand(job.ffmpegPath, spec, { signal, killGraceMs: job.killGraceMs });
  if (run.cancelled)
    return { key: o.key, status: 'failed', code: 'E_CANCELLED', message: `${job.source.path}: cancelled` };
  if (run.exitCode === 0) return undefined;
  return {
    key: o.key,
    status: 'failed',
    code: 'E_FFMPEG_FAILED',
    stderrTail: run.stderrTail,
    message: `${job.source.path}: ffmpeg failed reducing the depth for ${o.final}: ${run.headline}`,
  };
}

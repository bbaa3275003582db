/**
 * Piscina worker: run one ffmpeg command (one decode, several outputs, optionally the loudness
 * meter; each output alone if that fails: transcode/isolate.ts), check what came out, write tags and
 * cover. Retag jobs only rewrite the tags of existing outputs. A finished output is left at its
 * temporary name: the coordinator records it in the journal first and then renames it into place
 * (write-ahead), so a kill can never leave a file at a final path that no record knows. Thin on
 * purpose, and it never throws: every failure becomes a result the coordinator turns into a typed
 * manifest entry.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { loadCover } from '../src/sources/art.js';
import { CoverFitter } from '../src/sources/cover-fit.js';
import { removeTemps } from '../src/store/atomic.js';
import type { RunOutcome } from '../src/ffmpeg/adapter.js';
import { encodeIsolated } from '../src/transcode/isolate.js';
import { isDiskFull, writeFailure } from '../src/store/io-errors.js';
import {
  durationTolerance,
  truncationSlack,
  type JobOutput,
  type OutputResult,
  type PortMessage,
  type TagInput,
  type TranscodeJob,
  type TranscodeResult,
} from '../src/transcode/job.js';
import type { GainSet, TrackLoudness } from '../src/tagging/loudness.js';
import { readAudioMetadata } from '../src/sources/read-metadata.js';
import { tagState } from '../src/tagging/compose.js';
import { tagWriter } from '../src/tagging/writers.js';
import { flacTagRoom } from '../src/tagging/flac-file.js';
import { AudiofanError } from '../src/errors.js';
import { readStreamInfo } from '../src/sources/streaminfo.js';
import { masterVerdict } from '../src/transcode/integrity.js';
import { parseMd5Lines } from '../src/transcode/hash-plan.js';
import { proveBitExact, reencode } from '../src/transcode/verify.js';
import { profiled, profileJobEnd, profileJobStart } from '../src/transcode/profile.js';

export interface TranscodeTask {
  job: TranscodeJob;
  port: MessagePort;
}

const fmt = (s: number) => `${s.toFixed(2)} s`;

export default async function transcode({ job, port }: TranscodeTask): Promise<TranscodeResult> {
  const started = Date.now();
  profileJobStart();
  const abort = new AbortController();
  port.on('message', (m: PortMessage) => m.type === 'cancel' && abort.abort());
  const fail = (code: OutputResult['code'], message: string, stderrTail?: string, of = job.outputs): OutputResult[] =>
    of.map((o) => ({ key: o.key, status: 'failed', code, message, ...(stderrTail ? { stderrTail } : {}) }));
  const done = async (outputs: OutputResult[], extra: Partial<TranscodeResult> = {}): Promise<TranscodeResult> => {
    // No temporary of a failed output outlives the job; finished ones wait for the coordinator.
    const ok = new Set(outputs.filter((r) => r.status === 'ok').map((r) => r.key));
    await removeTemps(...job.outputs.filter((o) => !ok.has(o.key)).map((o) => o.temp));
    port.close();
    profileJobEnd();
    return { id: job.id, outputs, elapsedMs: Date.now() - started, cancelled: abort.signal.aborted, ...extra };
  };
  try {
    if (job.kind === 'retag') return await done(await retag(job));
    for (const dir of new Set(job.outputs.map((o) => dirname(o.temp)))) await mkdir(dir, { recursive: true });
    const src = job.source.path;
    const streamInfo = await readStreamInfo(src).catch(() => undefined);
    // The cover is read now, so FLAC outputs can be encoded with room for it (their tags are then written in
    // place); a cover that cannot be read still fails the job where it always did, after the master is judged.
    const coverLoad = profiled('cover-load', () => coverFor(job));
    const early = await coverLoad.catch(() => undefined);
    const encoding = await withTagRoom(job, early);
    const runs = await profiled('ffmpeg-log', () =>
      encodeIsolated(encoding, {
        signal: abort.signal,
        killGraceMs: job.killGraceMs,
        onTime: (seconds) => port.postMessage({ type: 'time', seconds } satisfies PortMessage),
      }),
    );
    // ffmpeg is done: the coordinator may start the next encode while this job checks and tags its outputs.
    port.postMessage({ type: 'released' } satisfies PortMessage);
    if (runs.cancelled || abort.signal.aborted) return await done(fail('E_CANCELLED', `${src}: cancelled`));
    // An output ffmpeg could not make (even alone) fails with its own run's error; the rest go on.
    const failed = job.outputs.filter((o) => runs.byKey.get(o.key)?.exitCode !== 0);
    const made = job.outputs.filter((o) => !failed.includes(o));
    const failedResults = failed.map((o) => ffmpegFailed(job, o, runs.byKey.get(o.key)!));
    // A measure-only job (loudness asked for, every output already made) has no output but goes on to its loudness.
    if ((!made.length && !job.measureLoudness) || !runs.master) return await done(failedResults);
    // The master is judged from the first run that completed: it decoded the whole source and hashed it.
    const { outcome: run, report, hashBase } = runs.master;
    const failMade = (code: OutputResult['code'], message: string, stderrTail?: string): OutputResult[] => [
      ...failedResults,
      ...fail(code, message, stderrTail, made),
    ];
    const decoded = run.decodedSamples !== undefined ? run.decodedSamples / job.source.sampleRate : 0;
    if (!decoded && streamInfo?.bitsPerSample === 32) {
      const why = `${src}: a 32-bit FLAC, which this ffmpeg (${job.ffmpegPath}) cannot decode (ffmpeg 6.0 and later can)`;
      return await done(failMade('E_SOURCE_UNSUPPORTED', why, run.stderrTail));
    }
    if (!decoded)
      return await done(failMade('E_NO_AUDIO_DECODED', `${src}: ffmpeg exited 0 but decoded no audio`, run.stderrTail));
    const claimed = job.source.duration;
    const short =
      claimed !== undefined && decoded < claimed - truncationSlack(claimed)
        ? `truncated or damaged: decodes to ${fmt(decoded)} of audio but its header says ${fmt(claimed)}`
        : undefined;
    // A truncated master is damage too: --accept-damaged converts what there is, and says so.
    if (short && !job.acceptDamaged)
      return await done(failMade('E_SOURCE_TRUNCATED', `${src}: ${short}`, run.stderrTail), {
        decodedSeconds: decoded,
      });
    const md5s = parseMd5Lines(run.stdout ?? '');
    const verdict = masterVerdict(job, { run, report, streamInfo, md5s, hashBase });
    if (short) verdict.damage.unshift(short);
    if (verdict.damage.length && !job.acceptDamaged) {
      const why = `${src}: damaged: ${verdict.damage.join('; ')}; no output is made from it (--accept-damaged makes them)`;
      return await done(failMade('E_SOURCE_CORRUPT', why, run.stderrTail), { decodedSeconds: decoded });
    }
    const damaged = verdict.damage.length ? verdict.damage.join('; ') : undefined;
    const notes = [...verdict.warnings, ...(damaged ? [`made from a damaged master: ${damaged}`] : [])];
    const { loudness } = runs;
    const gains = gainsFor(loudness, job.tags.gains);
    const cover = await coverLoad;
    const results: OutputResult[] = [...failedResults];
    for (const o of made) {
      const own = runs.byKey.get(o.key)!;
      const encodedSamples = own.encodedSamples?.[runs.indexByKey.get(o.key)!];
      results.push(
        await finishOutput(job, o, decoded, gains, cover, { encodedSamples, md5s, notes, signal: abort.signal }),
      );
    }
    return await done(results, {
      decodedSeconds: decoded,
      ...(loudness ? { loudness } : {}),
      ...(damaged ? { damaged } : {}),
    });
  } catch (e) {
    // A full disk is reported against each output's path; anything else (the source's cover
    // unreadable, say) against the source.
    if (!isDiskFull(e)) return await done(fail('E_OUTPUT_WRITE', `${job.source.path}: ${(e as Error).message}`));
    return await done(
      job.outputs.map((o) => ({
        key: o.key,
        status: 'failed',
        ...writeFailure(e, o.final, 'cannot write the output'),
      })),
    );
  }
}

/**
 * ffmpeg exited with an error making output `o` (alone, when the shared run failed). A full disk is no fault
 * of the source: E_DISK_FULL naming the output's path, with ffmpeg's line that says so. Anything else is
 * E_FFMPEG_FAILED, naming the source and quoting the line that names the cause.
 */
function ffmpegFailed(job: TranscodeJob, o: JobOutput, run: RunOutcome): OutputResult {
  const why = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
  const { stderrTail } = run;
  if (isDiskFull(stderrTail)) {
    return {
      key: o.key,
      status: 'failed',
      code: 'E_DISK_FULL',
      stderrTail,
      message: `${o.final}: ffmpeg could not write it: ${run.headline} (ffmpeg ${why}, converting ${job.source.path})`,
    };
  }
  return {
    key: o.key,
    status: 'failed',
    code: 'E_FFMPEG_FAILED',
    stderrTail,
    message: `${job.source.path}: ffmpeg ${why}: ${run.headline}`,
  };
}

/** Track gain from this run's measurement, album gain as given (known only once the album is done). */
function gainsFor(loudness: TrackLoudness | undefined, given: GainSet | undefined): GainSet {
  const track =
    loudness?.integratedLufs !== undefined
      ? { lufs: loudness.integratedLufs, peakDbfs: loudness.peakDbfs }
      : given?.track;
  return { ...(track ? { track } : {}), ...(given?.album ? { album: given.album } : {}) };
}

/** The source's cover, fitted to each output's container on demand. */
async function coverFor(job: TranscodeJob): Promise<CoverFitter> {
  const wanted = job.tags.cover && job.outputs.some((o) => o.art);
  const cover = wanted
    ? await loadCover(job.source.path, job.tags.cover!, job.tags.artMaxSize, job.ffmpegPath)
    : undefined;
  return new CoverFitter(cover, job.ffmpegPath);
}

/**
 * The job as ffmpeg runs it: each FLAC output asks its muxer for padding enough for the tags and cover audiofan
 * writes afterwards, so that write is a header rewrite in place instead of a second copy of the whole file.
 */
async function withTagRoom(job: TranscodeJob, covers: CoverFitter | undefined): Promise<TranscodeJob> {
  const outputs = await Promise.all(
    job.outputs.map(async (o) => {
      if (o.writer !== 'flac') return o;
      const state = tagState({ ...job.tags, writer: o.writer, art: o.art, gains: job.tags.gains ?? {} });
      const fitted = o.art && covers ? await covers.for(o.writer) : {};
      const room = flacTagRoom(state.entries, fitted.picture ? [fitted.picture] : []);
      return { ...o, args: [...o.args, '-metadata_header_padding', String(room)] };
    }),
  );
  return { ...job, outputs };
}

/** Write tags and cover; the tagged file ends up at the output's temp name. Returns the tags hash written. */
async function tagAt(
  o: JobOutput,
  from: string,
  tags: TagInput,
  gains: GainSet,
  covers: CoverFitter,
): Promise<{ tagsHash: string; gains?: GainSet; warnings?: string[] }> {
  const state = tagState({ ...tags, writer: o.writer, art: o.art, gains });
  const { write } = tagWriter(o.writer);
  if (!write) {
    // Tagged by ffmpeg at encode time; the coordinator never plans a retag of such an output.
    if (from !== o.temp)
      throw new AudiofanError('E_OUTPUT_WRITE', `${o.final}: its container's tags can only be written while encoding`);
  }
  const fitted = o.art && write ? await profiled('cover-fit', () => covers.for(o.writer)) : {};
  if (write) {
    try {
      // A fresh output (still at its temp name, seen by nobody) may be tagged in place: no copy of the audio.
      const inPlace = from === o.temp;
      const how = await profiled(
        'tag-write',
        () =>
          write(from, o.tagTemp, {
            entries: state.entries,
            pictures: fitted.picture ? [fitted.picture] : [],
            id3Version: tags.id3Version,
            inPlace,
          }),
        () => o.tagTemp,
      );
      if (how !== 'in-place') await rename(o.tagTemp, o.temp);
    } finally {
      await removeTemps(o.tagTemp);
    }
  }
  return {
    tagsHash: state.hash,
    ...(state.gains ? { gains: state.gains } : {}),
    ...(fitted.warning ? { warnings: [fitted.warning] } : {}),
  };
}

/** Read an output back, check it holds all the decoded audio, tag it and move it into place. */
async function finishOutput(
  job: TranscodeJob,
  o: JobOutput,
  decoded: number,
  gains: GainSet,
  cover: CoverFitter,
  check: { encodedSamples: number | undefined; md5s: string[]; notes: string[]; signal: AbortSignal },
): Promise<OutputResult> {
  const fail = (code: OutputResult['code'], message: string): OutputResult => ({
    key: o.key,
    status: 'failed',
    code,
    message,
  });
  // A lossless copy is proven bit-exact before anything else is done with it.
  const warnings = [...check.notes];
  let pcmMd5: string | undefined;
  if (o.bitExact) {
    const bitExact = o.bitExact;
    const proof = await profiled('verify', () =>
      proveBitExact(job.ffmpegPath, job.source.path, { ...o, bitExact }, check.md5s[bitExact.hash]),
    );
    if (proof.kind === 'failed') return proof.result;
    if (proof.kind === 'exact') pcmMd5 = proof.pcmMd5;
    else {
      const failed = await reencode(job, o, proof.args, check.signal);
      if (failed) return failed;
      warnings.push(proof.warning);
    }
  }
  let meta: Awaited<ReturnType<typeof readAudioMetadata>>;
  try {
    // Gapless: the exact sample count goes into the header before anything reads the length back.
    const samples = check.encodedSamples;
    if (samples !== undefined) await profiled('gapless', async () => tagWriter(o.writer).setLength?.(o.temp, samples));
    meta = await profiled('read-back', () => readAudioMetadata(o.temp, { skipCovers: true }));
  } catch (e) {
    return fail('E_OUTPUT_INVALID', `${o.final}: the encoded file cannot be read back: ${(e as Error).message}`);
  }
  const f = meta.format;
  if (f.duration === undefined || Math.abs(f.duration - decoded) > durationTolerance(decoded)) {
    return fail(
      'E_OUTPUT_DURATION',
      `${o.final}: output lasts ${f.duration === undefined ? 'an unknown time' : fmt(f.duration)}` +
        ` but ${fmt(decoded)} of audio was decoded from ${job.source.path}`,
    );
  }
  const now = await stat(job.source.path).catch(() => undefined);
  if (!now || now.size !== job.source.size || now.mtimeMs !== job.source.mtimeMs) {
    return fail(
      'E_SOURCE_CHANGED',
      `${job.source.path}: the source changed while it was being converted; it will be redone next run`,
    );
  }
  try {
    const placed = await tagAt(o, o.temp, job.tags, gains, cover);
    const st = await stat(o.temp);
    return {
      key: o.key,
      status: 'ok',
      size: st.size,
      mtimeMs: st.mtimeMs,
      duration: f.duration,
      // The audio's own bitrate where the headers give it: file size would count the cover too.
      bitrate: Math.round(f.bitrate ?? (st.size * 8) / f.duration),
      codec: f.codec,
      sampleRate: f.sampleRate,
      channels: f.numberOfChannels,
      bitsPerSample: f.bitsPerSample,
      ...(pcmMd5 ? { pcmMd5 } : {}),
      ...placed,
      ...(warnings.length || placed.warnings ? { warnings: [...warnings, ...(placed.warnings ?? [])] } : {}),
    };
  } catch (e) {
    return { key: o.key, status: 'failed', ...writeFailure(e, o.final, "cannot write the finished output's tags") };
  }
}

/** Rewrite the tags of outputs that already exist (audio untouched). */
async function retag(job: TranscodeJob): Promise<OutputResult[]> {
  const cover = await coverFor(job);
  const out: OutputResult[] = [];
  for (const o of job.outputs) {
    try {
      const placed = await tagAt(o, o.final, job.tags, job.tags.gains ?? {}, cover);
      const st = await stat(o.temp);
      out.push({ key: o.key, status: 'ok', size: st.size, mtimeMs: st.mtimeMs, ...placed });
    } catch (e) {
      out.push({ key: o.key, status: 'failed', ...writeFailure(e, o.final, 'cannot rewrite tags') });
    }
  }
  return out;
}

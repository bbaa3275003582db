/**
 * Piscina worker: run one ffmpeg command (one decode, several outputs), check what came out,
 * move good outputs into place. Thin on purpose, and it never throws: every failure becomes
 * a result the coordinator turns into a typed manifest entry.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { runCommand } from '../src/ffmpeg.js';
import { commandSpec, durationTolerance, truncationSlack, type OutputResult, type PortMessage, type TranscodeJob, type TranscodeResult } from '../src/job.js';
import { readAudioMetadata } from '../src/probe.js';

export interface TranscodeTask {
  job: TranscodeJob;
  port: MessagePort;
}

const fmt = (s: number) => `${s.toFixed(2)} s`;

export default async function transcode({ job, port }: TranscodeTask): Promise<TranscodeResult> {
  const started = Date.now();
  const abort = new AbortController();
  port.on('message', (m: PortMessage) => m.type === 'cancel' && abort.abort());
  const fail = (code: OutputResult['code'], message: string, stderrTail?: string): OutputResult[] =>
    job.outputs.map((o) => ({ key: o.key, status: 'failed', code, message, ...(stderrTail ? { stderrTail } : {}) }));
  const done = async (outputs: OutputResult[], decodedSeconds?: number): Promise<TranscodeResult> => {
    // Whatever happened, no temporary outlives the job.
    await Promise.all(job.outputs.map((o) => rm(o.temp, { force: true })));
    port.close();
    return { id: job.id, outputs, decodedSeconds, elapsedMs: Date.now() - started, cancelled: abort.signal.aborted };
  };
  try {
    for (const dir of new Set(job.outputs.map((o) => dirname(o.temp)))) await mkdir(dir, { recursive: true });
    const src = job.source.path;
    const run = await runCommand(job.ffmpegPath, commandSpec(job), {
      signal: abort.signal,
      killGraceMs: job.killGraceMs,
      onTime: (seconds) => port.postMessage({ type: 'time', seconds } satisfies PortMessage),
    });
    if (run.cancelled || abort.signal.aborted) return await done(fail('E_CANCELLED', `${src}: cancelled`));
    if (run.exitCode !== 0) {
      const why = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
      return await done(fail('E_FFMPEG_FAILED', `${src}: ffmpeg ${why}: ${run.headline}`, run.stderrTail));
    }
    const decoded = run.decodedSamples !== undefined ? run.decodedSamples / job.source.sampleRate : 0;
    if (!decoded) return await done(fail('E_NO_AUDIO_DECODED', `${src}: ffmpeg exited 0 but decoded no audio`, run.stderrTail));
    const claimed = job.source.duration;
    if (claimed !== undefined && decoded < claimed - truncationSlack(claimed)) {
      return await done(fail('E_SOURCE_TRUNCATED',
        `${src}: truncated or damaged: decodes to ${fmt(decoded)} of audio but its header says ${fmt(claimed)}`, run.stderrTail), decoded);
    }
    const results: OutputResult[] = [];
    for (const o of job.outputs) results.push(await finishOutput(job, o, decoded));
    return await done(results, decoded);
  } catch (e) {
    return await done(fail('E_OUTPUT_WRITE', `${job.source.path}: ${(e as Error).message}`));
  }
}

/** Read an output back, check it holds all the decoded audio, and move it into place. */
async function finishOutput(job: TranscodeJob, o: TranscodeJob['outputs'][number], decoded: number): Promise<OutputResult> {
  const fail = (code: OutputResult['code'], message: string): OutputResult => ({ key: o.key, status: 'failed', code, message });
  let meta;
  try {
    meta = await readAudioMetadata(o.temp, { skipCovers: true });
  } catch (e) {
    return fail('E_OUTPUT_INVALID', `${o.final}: the encoded file cannot be read back: ${(e as Error).message}`);
  }
  const f = meta.format;
  if (f.duration === undefined || Math.abs(f.duration - decoded) > durationTolerance(decoded)) {
    return fail('E_OUTPUT_DURATION', `${o.final}: output lasts ${f.duration === undefined ? 'an unknown time' : fmt(f.duration)}`
      + ` but ${fmt(decoded)} of audio was decoded from ${job.source.path}`);
  }
  const now = await stat(job.source.path).catch(() => undefined);
  if (!now || now.size !== job.source.size || now.mtimeMs !== job.source.mtimeMs) {
    return fail('E_SOURCE_CHANGED', `${job.source.path}: the source changed while it was being converted; it will be redone next run`);
  }
  try {
    await rename(o.temp, o.final);
    const st = await stat(o.final);
    return {
      key: o.key, status: 'ok', size: st.size, mtimeMs: st.mtimeMs, duration: f.duration,
      // The audio's own bitrate where the headers give it: file size would count the cover too.
      bitrate: Math.round(f.bitrate ?? (st.size * 8) / f.duration), codec: f.codec, sampleRate: f.sampleRate,
      channels: f.numberOfChannels, bitsPerSample: f.bitsPerSample,
    };
  } catch (e) {
    return fail('E_OUTPUT_WRITE', `${o.final}: cannot move the finished output into place: ${(e as Error).message}`);
  }
}

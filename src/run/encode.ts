/**
 * Stage 5, encode: run the encode jobs on the executor (a dry run lists their commands instead), and
 * publish each finished output through the journal.
 */
import { writeFailure } from '../store/io-errors.js';
import { dispatch, toTranscodeJob, type JobOutcome } from '../transcode/dispatch.js';
import { commandArgs } from '../ffmpeg/adapter.js';
import { commandSpec, type TranscodeJob } from '../transcode/job.js';
import { outputEntry, sourceEntry } from '../store/manifest-entries.js';
import { outputKey } from '../sources/source-key.js';
import type { ManifestOutput, PlannedSource } from '../model.js';
import { jobSettings, report, reportInterrupted, type Plan, type Records, type Results, type Run } from './context.js';

/** Stage 5: run the encode jobs on the pool (a dry run lists their commands instead); publish each output. */
export async function encode(run: Run, records: Records, plan: Plan): Promise<Results> {
  const { o, info } = run;
  const res: Results = {
    encoded: new Map(),
    retagged: new Map(),
    retagJobs: [],
    decoded: new Map(),
    commands: [],
    interrupted: !!o.signal?.aborted,
  };
  if (o.dryRun) {
    plan.jobs.forEach((job, id) => {
      const tj = toTranscodeJob(id, job, run.outDir, run.ffmpeg.path, o.killGraceMs, plan.tagSettings);
      const argv = [run.ffmpeg.path, ...commandArgs(run.ffmpeg.path, commandSpec(tj))];
      res.commands.push(argv);
      run.emit({ type: 'command', argv });
    });
    return res;
  }
  if (res.interrupted || !plan.jobs.length) return res;
  const onJobDone = async ({ job, result }: JobOutcome, tj: TranscodeJob) => {
    if (result.decodedSeconds !== undefined) res.decoded.set(job.source.path, result.decodedSeconds);
    if (result.loudness) plan.loudness.set(job.source.path, result.loudness);
    if (result.damaged) {
      res.damaged ??= new Map();
      res.damaged.set(job.source.path, result.damaged);
    }
    // Ctrl-C on a terminal reaches ffmpeg too (same process group): it may exit on its own before the
    // worker hears of the cancel. After an interrupt, an ffmpeg that failed was stopped, not broken.
    if (o.signal?.aborted)
      for (const r of result.outputs) if (r.code === 'E_FFMPEG_FAILED') Object.assign(r, { code: 'E_CANCELLED' });
    // Stopped by an interrupt: no failure, and no file to report; the next run does it.
    const stopped = result.outputs.filter((r) => r.code === 'E_CANCELLED');
    if (stopped.length)
      reportInterrupted(
        run,
        job.source.path,
        stopped.map((r) => r.key),
      );
    for (const r of result.outputs) {
      const planned = job.outputs.find((x) => x.preset.id === r.key)!;
      if (r.code === 'E_CANCELLED') {
        res.encoded.set(outputKey(job.source.key, r.key), { ...r, elapsedMs: result.elapsedMs });
        continue;
      }
      let entry = outputEntry(planned, info.version, undefined, { ...r, elapsedMs: result.elapsedMs });
      if (entry.status === 'ok')
        entry = await publish(run, records, plan, res, job.source, entry, tj.outputs.find((x) => x.key === r.key)!);
      res.encoded.set(
        outputKey(job.source.key, r.key),
        entry.status === 'ok'
          ? { ...r, elapsedMs: result.elapsedMs }
          : {
              key: r.key,
              status: 'failed',
              code: entry.code,
              message: entry.message,
              ...(r.stderrTail ? { stderrTail: r.stderrTail } : {}),
              elapsedMs: result.elapsedMs,
            },
      );
      report(run, job.source.path, entry);
    }
  };
  const d = await dispatch({ ...jobSettings(run, plan), jobs: plan.jobs, onJobDone });
  res.interrupted = !!o.signal?.aborted || d.notStarted.length > 0;
  return res;
}

/**
 * Publish a finished output through the journal (write-ahead: recorded, then renamed into place),
 * checking first that its place is still inside the output folder. A failure is the output's, as data.
 */
export async function publish(
  run: Run,
  records: Records,
  plan: Plan,
  res: Results,
  source: PlannedSource,
  entry: ManifestOutput,
  out: TranscodeJob['outputs'][number],
): Promise<ManifestOutput> {
  const outside = records.folder?.outside(entry.path);
  if (outside)
    return {
      ...entry,
      status: 'failed',
      action: 'none',
      code: 'E_OUTPUT_PATH_UNSAFE',
      message: `${out.final}: not moved into place: ${outside}`,
    };
  if (!run.journal) return entry; // a dry run publishes nothing
  const { outputs: _o, ...facts } = sourceEntry(
    { source, outputs: [] },
    res.decoded.get(source.path),
    plan.loudness.get(source.path),
    () => entry,
  );
  try {
    await run.journal.publish({ source: facts, output: entry }, out.temp, out.final);
    return entry;
  } catch (e) {
    const f = writeFailure(e, out.final, 'cannot move the finished output into place');
    return { ...entry, status: 'failed', action: 'none', ...f };
  }
}

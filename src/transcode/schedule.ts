/**
 * The order jobs are handed to free slots, and the tail split that keeps every core busy to the end.
 *
 * Order: costliest first (LPT: longest processing time), by cost.ts's estimate, so the last jobs to start
 * are the shortest and the lanes end close together. One exception, for the eye: the last lane's first job
 * is the shortest, so the count of files done moves in the first seconds instead of after the longest track.
 *
 * Split: a job whose cost alone is more than an even share of all the work left (its own, the unstarted
 * jobs', what the running ones still have to do) may run on after the other lanes have nothing left. Then
 * the rest of the run is simulated (each lane taking the next job when free, as the dispatcher does) with
 * the job whole and cut into 2, 3… pieces, each a job making some of its outputs with its own ffmpeg
 * decoding the master, so an idle lane takes a piece; the cut that ends soonest wins, if it wins by enough.
 * A piece pays one more decode and hash of the master (~5 % of a 3-preset job) and a process start, so short
 * jobs are never cut. The coordinator merges the pieces' results back into the job's (pieces.ts) before
 * anything else sees them.
 *
 * Neither the order nor a cut changes a tag: album gains are settled in the tag stage, after every job
 * (run/retag.ts), whatever order the tracks finished in; a piece that does not measure writes the gains known
 * before the run, and the tag stage rewrites its outputs' tags once the track gain is in, as it does for any
 * output whose tags differ (in a first run of an album it retags them all anyway, for the album gain).
 */
import type { PlannedJob, PlannedOutput } from '../model.js';
import { baseCost, jobCost, meterCost, outputCost } from './cost.js';

/** Below this many estimated CPU seconds a job is never split: a piece's own decode is in the estimate, but not
 *  its process start and the worker's checks; and the gain is at most half the job. About a 35 s CD track. */
export const MIN_SPLIT_SECONDS = 1;
/** What a piece costs beyond its decode and hash (cost.ts): ffmpeg's start, the worker reading the cover. */
export const PIECE_OVERHEAD_SECONDS = 0.1;
/** A split must bring the estimated end of the run this much closer: smaller gains are within the estimate's error. */
export const MIN_GAIN_SECONDS = 0.25;

/**
 * When the last lane would be done if lanes free at `free` (seconds from now) took `costs` in order, each
 * the next as soon as it is free (what the dispatcher does).
 */
export function finishTime(free: number[], costs: number[]): number {
  const lanes = [...free];
  for (const c of costs) {
    let i = 0;
    for (let j = 1; j < lanes.length; j++) if (lanes[j] < lanes[i]) i = j;
    lanes[i] += c;
  }
  return Math.max(0, ...lanes);
}

/**
 * How many pieces to cut `job` into as a lane takes it (1: keep it whole). `free`: when each lane is free, in
 * seconds from now (the taking lane 0, a running job's lane when it has done its estimated rest); `waiting`:
 * the jobs not started, costliest first. A job is cut only when it costs more than an even share of all the
 * work left (else it cannot end last alone) and at least MIN_SPLIT_SECONDS; then into the number of pieces (at
 * most one per output and one per lane) whose simulated run ends soonest, if that is MIN_GAIN_SECONDS sooner
 * than keeping it whole. Each piece pays its own decode, hash and overhead. In the simulation, waiting jobs that
 * are too big for a share are cut too (as they will be when taken): else, of three equal long tracks on eight
 * lanes, none would ever be cut, each keeping the run as long as the other two do.
 */
export function piecesFor(job: PlannedJob, free: number[], waiting: PlannedJob[]): number {
  const cost = jobCost(job);
  const costs = waiting.map(jobCost);
  const work = cost + costs.reduce((a, b) => a + b, 0) + free.reduce((a, b) => a + b, 0);
  const share = work / free.length;
  if (!cuttable(job, cost) || cost <= share) return 1;
  const rest = waiting.flatMap((w, i) => asRun(w, costs[i], share, free.length)).sort((x, y) => y - x);
  let best = { k: 1, end: finishTime(free, [cost, ...rest]) - MIN_GAIN_SECONDS };
  for (let k = 2; k <= Math.min(job.outputs.length, free.length); k++) {
    const [first, ...others] = pieceCosts(job, k);
    const end = finishTime(free, [first, ...[...others, ...rest].sort((x, y) => y - x)]);
    if (end < best.end) best = { k, end };
  }
  return best.k;
}

const cuttable = (job: PlannedJob, cost: number) =>
  job.kind === 'encode' && job.outputs.length > 1 && cost >= MIN_SPLIT_SECONDS;

const pieceCosts = (job: PlannedJob, k: number) => splitJob(job, k).map((p) => jobCost(p) + PIECE_OVERHEAD_SECONDS);

/** A waiting job's costs as it is expected to run: whole, or cut into share-sized pieces when it is too big. */
function asRun(job: PlannedJob, cost: number, share: number, lanes: number): number[] {
  if (!cuttable(job, cost) || cost <= share) return [cost];
  return pieceCosts(job, Math.min(job.outputs.length, lanes, Math.ceil(cost / share)));
}

/**
 * Cut a job's outputs into `k` pieces of about equal cost (costliest output to the lightest piece); the
 * loudness meter, when the job measures, rides with the lightest piece: exactly one piece measures.
 * Pieces come costliest first; each has at least one output.
 */
export function splitJob(job: PlannedJob, k: number): PlannedJob[] {
  const bins = Array.from({ length: Math.min(k, job.outputs.length) }, () => ({
    outputs: [] as PlannedOutput[],
    cost: baseCost(job),
    measure: false,
  }));
  const lightest = () => bins.reduce((a, b) => (b.cost < a.cost ? b : a));
  const byCost = job.outputs.map((o) => ({ o, c: outputCost(job, o) })).sort((a, b) => b.c - a.c);
  for (const { o, c } of byCost) {
    const bin = lightest();
    bin.outputs.push(o);
    bin.cost += c;
  }
  if (job.measureLoudness) {
    const bin = lightest();
    bin.measure = true;
    bin.cost += meterCost(job);
  }
  // Outputs keep the job's own order inside a piece (the order the worker reports them in).
  const rank = new Map(job.outputs.map((o, i) => [o, i]));
  return bins
    .sort((a, b) => b.cost - a.cost)
    .map((b) => ({
      ...job,
      outputs: b.outputs.sort((x, y) => rank.get(x)! - rank.get(y)!),
      measureLoudness: b.measure,
    }));
}

/** Job indexes costliest first (a stable sort: equal costs keep the plan's order). */
export function costOrder(jobs: PlannedJob[]): number[] {
  const cost = jobs.map(jobCost);
  return jobs.map((_, i) => i).sort((a, b) => cost[b] - cost[a] || a - b);
}

/** What the lanes take from: the jobs not started yet, costliest first, and the running ones' progress. */
export class Schedule {
  /** Every job by id: the planned ones, then pieces as they are cut (ids past the planned ones). */
  readonly all: PlannedJob[];
  private readonly cost: number[];
  private readonly root: number[];
  /** Job ids costliest first; those before `head` (and after `tail`) are taken. Indexes, not shift(): a library
   *  of 100,000 tracks is 100,000 takes. */
  private readonly order: number[];
  private head = 0;
  private tail: number;
  private waitingCost: number;
  /** Running jobs' share of their cost still to do (1 at the start, 0 once ffmpeg has exited). */
  private readonly left = new Map<number, number>();
  private shortTaken = false;

  /** `split`: cut jobs at the tail (the executor's slots are this machine's cores). */
  constructor(
    jobs: PlannedJob[],
    private readonly slots: number,
    private readonly split: boolean,
    private readonly onSplit: (id: number, pieces: number[]) => void = () => {},
  ) {
    this.all = [...jobs];
    this.cost = jobs.map(jobCost);
    this.root = jobs.map((_, i) => i);
    this.order = costOrder(jobs);
    this.tail = this.order.length;
    this.waitingCost = this.cost.reduce((a, b) => a + b, 0);
  }

  /** The planned job a job or piece belongs to. */
  rootOf(id: number): number {
    return this.root[id];
  }

  /** The next job for a lane (split first when it is the tail's), or undefined when none is left. The last
   *  lane's first take is the shortest job. */
  take(lastLane: boolean): number | undefined {
    if (this.head >= this.tail) return undefined;
    const short = lastLane && !this.shortTaken && this.tail - this.head > 1;
    if (lastLane) this.shortTaken = true;
    let id = short ? this.order[--this.tail] : this.order[this.head++];
    this.waitingCost -= this.cost[id];
    if (this.split && !short) id = this.maybeSplit(id);
    this.left.set(id, 1);
    return id;
  }

  /** A running job has reached `seconds` of its source. */
  time(id: number, seconds: number): void {
    const d = this.all[id].source.duration;
    if (d && this.left.has(id)) this.left.set(id, Math.max(0, 1 - seconds / d));
  }

  /** A job's ffmpeg has exited: it takes no more of a slot. */
  released(id: number): void {
    this.left.delete(id);
  }

  /** Job ids not started (pieces included). */
  unstarted(): number[] {
    return this.order.slice(this.head, this.tail);
  }

  private maybeSplit(id: number): number {
    const job = this.all[id];
    const c = this.cost[id];
    if (job.kind !== 'encode' || job.outputs.length < 2 || c < MIN_SPLIT_SECONDS) return id;
    // Lanes: this one (free now), the running jobs' (free when their rest is done), the others idle (free now).
    const running = [...this.left].map(([r, share]) => this.cost[r] * share);
    // Cheap first (no list of the waiting): a job no costlier than an even share of the work left cannot end last.
    if (c <= (c + this.waitingCost + running.reduce((a, b) => a + b, 0)) / this.slots) return id;
    const free = [0, ...running, ...Array(Math.max(0, this.slots - 1 - running.length)).fill(0)];
    const k = piecesFor(
      job,
      free,
      this.unstarted().map((w) => this.all[w]),
    );
    if (k < 2) return id;
    const ids = splitJob(job, k).map((piece) => {
      this.all.push(piece);
      this.cost.push(jobCost(piece));
      this.root.push(this.root[id]);
      return this.all.length - 1;
    });
    this.onSplit(id, ids);
    // The other pieces wait where their cost puts them (at the front, nearly always).
    for (const p of ids.slice(1)) {
      let at = this.head;
      while (at < this.tail && this.cost[this.order[at]] >= this.cost[p]) at++;
      this.order.splice(at, 0, p);
      this.tail++;
      this.waitingCost += this.cost[p];
    }
    return ids[0];
  }
}

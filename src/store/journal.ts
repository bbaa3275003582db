/**
 * The manifest's checkpoint: an append-only journal of finished outputs. Each line is written and
 * synced as an output is moved into place, so a run killed with SIGKILL loses at most the outputs
 * in flight; the next run folds the journal into the last manifest before deciding anything.
 */
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AudiofanError } from '../errors.js';
import { writeFailure } from './io-errors.js';
import type { ManifestOutput, ManifestSource } from '../model.js';

export const JOURNAL_NAME = '.audiofan-journal.ndjson';

/** One journal line: the source's facts as of that output, and the output's entry. */
export interface JournalEntry {
  source: Omit<ManifestSource, 'outputs'>;
  output: ManifestOutput;
}

export class Journal {
  /** Bytes of whole, synced lines. */
  private size: number;
  /** Publishes, one after another. */
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    size: number,
  ) {
    this.size = size;
  }

  static async open(outDir: string): Promise<Journal> {
    const path = join(outDir, JOURNAL_NAME);
    const fh = await open(path, 'a');
    return new Journal(fh, path, (await fh.stat()).size);
  }

  /**
   * Append and sync one entry (an output takes seconds to make; a sync per output costs nothing).
   * Throws E_DISK_FULL or E_OUTPUT_WRITE naming the journal; the caller must then not publish the output.
   */
  async append(entry: JournalEntry): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    try {
      await this.fh.appendFile(line);
      await this.fh.datasync();
      this.size += line.length;
    } catch (e) {
      // A line cut short by a full disk would run into the next one and take it down with it when
      // read back: cut the file back to its last whole line.
      await this.fh.truncate(this.size).catch(() => undefined);
      const f = writeFailure(e, this.path, 'cannot record a finished output in the journal');
      throw new AudiofanError(f.code, f.message, { file: this.path, cause: e });
    }
  }

  /**
   * Write-ahead publishing: record the finished output (synced), then rename it from its temporary
   * name into place, so a kill can never leave a file at a final path that no record knows. One after
   * another; one that fails (a full disk) fails only its own output, with the append's own code.
   */
  publish(entry: JournalEntry, temp: string, final: string): Promise<void> {
    const done = this.chain.then(async () => {
      await this.append(entry);
      await rename(temp, final);
    });
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every publish asked for so far has settled. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Close and delete: called once the manifest that contains every entry has been written. */
  async finish(): Promise<void> {
    await this.fh.close();
    await rm(this.path, { force: true });
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * Fold a journal left by an interrupted run into the previous manifest's sources (by `keyOf`).
 * A torn last line (the kill came mid-write) is ignored. Returns how many entries were folded.
 */
export async function foldJournal(
  outDir: string,
  previous: Map<string, ManifestSource>,
  keyOf: (s: JournalEntry['source']) => string = (s) => s.path,
): Promise<number> {
  const text = await readFile(join(outDir, JOURNAL_NAME), 'utf8').catch(() => '');
  let n = 0;
  for (const line of text.split('\n')) {
    let e: JournalEntry;
    try {
      e = JSON.parse(line) as JournalEntry;
    } catch {
      continue;
    }
    if (!e?.source?.path || !e.output?.preset) continue;
    const key = keyOf(e.source);
    const prev = previous.get(key);
    const outputs = (prev?.outputs ?? []).filter((o) => !(o.preset === e.output.preset && o.path === e.output.path));
    previous.set(key, { ...prev, ...e.source, outputs: [...outputs, e.output] });
    n++;
  }
  return n;
}

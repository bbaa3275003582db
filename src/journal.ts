/**
 * The manifest's checkpoint: an append-only journal of finished outputs. Each line is written and
 * synced as an output is moved into place, so a run killed with SIGKILL loses at most the outputs
 * in flight; the next run folds the journal into the last manifest before deciding anything.
 */
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestOutput, ManifestSource } from './manifest.js';

export const JOURNAL_NAME = '.audiofan-journal.ndjson';

/** One journal line: the source's facts as of that output, and the output's entry. */
export interface JournalEntry {
  source: Omit<ManifestSource, 'outputs'>;
  output: ManifestOutput;
}

export class Journal {
  private constructor(private readonly fh: FileHandle, readonly path: string) {}

  static async open(outDir: string): Promise<Journal> {
    const path = join(outDir, JOURNAL_NAME);
    return new Journal(await open(path, 'a'), path);
  }

  /** Append and sync one entry (an output takes seconds to make; a sync per output costs nothing). */
  async append(entry: JournalEntry): Promise<void> {
    await this.fh.appendFile(JSON.stringify(entry) + '\n');
    await this.fh.datasync();
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
export async function foldJournal(outDir: string, previous: Map<string, ManifestSource>,
  keyOf: (s: JournalEntry['source']) => string = (s) => s.path): Promise<number> {
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

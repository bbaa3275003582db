/**
 * `audiofan demo`: a small lossless library made on the spot (two albums, tags, cover art,
 * one 24-bit/96 kHz track, a WAV, a lossy MP3 and one deliberately truncated FLAC).
 */
import { mkdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCover, writeTrack, type TrackSpec } from './synth.js';

/** The ladder the demo converts to. */
export const DEMO_PRESETS = ['flac-cd', 'mp3-v0', 'opus-128'];

export interface DemoLibrary {
  library: string;
  output: string;
  /** The file that is broken on purpose (its conversion is expected to fail). */
  corrupt: string;
  /** The lossy file that is expected to be skipped. */
  lossy: string;
}

const MARK = '.audiofan-demo';

/** Create (or re-create) the demo library under `dir`. */
export async function makeDemoLibrary(dir: string, ffmpegPath: string, seconds = 12): Promise<DemoLibrary> {
  const library = join(dir, 'library');
  const output = join(dir, 'output');
  // Only a folder we made ourselves is ever deleted.
  if (
    await stat(join(library, MARK)).then(
      () => true,
      () => false,
    )
  )
    await rm(library, { recursive: true, force: true });
  const a1 = join(library, 'Aurora Ensemble', 'First Light');
  const a2 = join(library, 'Night Signals', 'Second Wind');
  await mkdir(a1, { recursive: true });
  await mkdir(a2, { recursive: true });
  await writeFile(join(library, MARK), 'made by audiofan demo\n');
  const cover1 = join(a1, 'cover.jpg');
  const cover2 = join(a2, 'folder.jpg');
  await writeCover(ffmpegPath, cover1, 500);
  await writeCover(ffmpegPath, cover2, 600);
  const album =
    (artist: string, albumName: string, date: string, genre: string, total: number) => (n: number, title: string) => ({
      TITLE: title,
      ARTIST: artist,
      ALBUM: albumName,
      ALBUMARTIST: artist,
      DATE: date,
      GENRE: genre,
      TRACKNUMBER: String(n),
      TRACKTOTAL: String(total),
      DISCNUMBER: '1',
      DISCTOTAL: '1',
    });
  const t1 = album('Aurora Ensemble', 'First Light', '2024', 'Ambient', 4);
  const t2 = album('Night Signals', 'Second Wind', '2025-03-14', 'Electronic', 4);
  const corrupt = join(a1, '04 Broken Record.flac');
  const lossy = join(a2, '04 Old Rip.mp3');
  const tracks: TrackSpec[] = [
    { path: join(a1, '01 Dawn Chorus.flac'), seconds, seed: 1, tags: t1(1, 'Dawn Chorus'), cover: cover1 },
    { path: join(a1, '02 Café au lait.flac'), seconds, seed: 2, tags: t1(2, 'Café au lait'), cover: cover1 },
    { path: join(a1, '03 It\'s "Raining".flac'), seconds, seed: 3, tags: t1(3, 'It\'s "Raining"'), cover: cover1 },
    { path: corrupt, seconds, seed: 4, tags: t1(4, 'Broken Record'), cover: cover1 },
    { path: join(a2, '01 Pulse.flac'), seconds, seed: 5, tags: t2(1, 'Pulse'), cover: cover2 },
    {
      path: join(a2, '02 Hi-Res Horizon (96k 24-bit).flac'),
      seconds,
      seed: 6,
      sampleRate: 96000,
      bits: 24,
      tags: t2(2, 'Hi-Res Horizon'),
      cover: cover2,
    },
    {
      path: join(a2, '03 Tape Loop.wav'),
      seconds,
      seed: 7,
      codec: 'pcm_s16le',
      tags: { title: 'Tape Loop', artist: 'Night Signals', album: 'Second Wind' },
    },
    {
      path: lossy,
      seconds,
      seed: 8,
      codec: 'libmp3lame',
      extraArgs: ['-q:a', '4'],
      tags: { title: 'Old Rip', artist: 'Night Signals', album: 'Second Wind' },
    },
  ];
  await Promise.all(tracks.map((t) => writeTrack(ffmpegPath, t)));
  // Cut the file short: its header still promises the whole track.
  await truncate(corrupt, Math.floor((await stat(corrupt)).size * 0.4));
  await writeFile(join(a2, 'liner notes.txt'), 'Not audio: ignored by audiofan.\n');
  return { library, output, corrupt, lossy };
}

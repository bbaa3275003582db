/**
 * ffmpeg/adapter.ts: what ffmpeg's closing stats say was decoded, and what each output's encoder was given; a
 * level-tagged report cut back to what `-loglevel verbose` prints.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eachReportLine, parseAnalysis, verboseLines } from '../../../src/ffmpeg/adapter.js';

describe('parseAnalysis', () => {
  it('samples decoded from the input and given to each output, by output index (ffmpeg 4.1 and 5.1 lines)', () => {
    const lines = [
      'Input file #0 (file:/m/a.flac):',
      '  Input stream #0:0 (audio): 1 packets read (4670 bytes); 1 frames decoded (1153 samples); ',
      'Output file #0 (file:/o/a.mp3):',
      '  Output stream #0:0 (audio): 2 frames encoded (1153 samples); 3 packets muxed (1253 bytes); ',
      'Output file #1 (file:/o/a.opus):',
      '  Output stream #1:0 (audio): 2 frames encoded (1255 samples); 2 packets muxed (948 bytes); ',
      'Output file #2 (pipe:1):',
      '  Output stream #2:0 (audio): 1 frames encoded (1153 samples); 1 packets muxed (4612 bytes); ',
    ];
    expect(parseAnalysis(lines)).toEqual({ decodedSamples: 1153, encodedSamples: [1153, 1255, 1153] });
  });
  it('nothing when ffmpeg printed no stats', () => {
    expect(parseAnalysis(['Conversion failed!'])).toEqual({});
  });
});

describe('verboseLines', () => {
  // The shape of a report ffmpeg 5.1 writes under `-loglevel level+info -report` (4.1 has no "Log level" line).
  const report = [
    '[info] ffmpeg started on 2026-11-29 at 15:25:22',
    'Report written to "ffmpeg-20261129-152522.log"',
    'Log level: 48',
    'Command line:',
    'ffmpeg -nostdin -loglevel level+info -report -i "/m/error in title.flac" -f null -',
    '[debug] Splitting the commandline.',
    "[info] Input #0, flac, from '/m/a.flac':",
    '[info]   Duration: 00:00:03.05, start: 0.000000, bitrate: 122 kb/s',
    '[flac @ 0x5649585] [debug] cur_dts is invalid st:0 (0) [init:1 i_done:0 finish:0] (this is harmless)',
    '  a continued debug message',
    '[Parsed_ebur128_0 @ 0x560f0a3b0640] [verbose] t: 0.0999773  TARGET:-23 LUFS    M:-120.7 S:-120.7',
    '[AVFilterGraph @ 0x1] [graph_0_in_0_0 @ 0x2] [trace] inside a graph',
    '[Parsed_ebur128_0 @ 0x560f0a3b0640] [info] Summary:',
    '',
    '  Integrated loudness:',
    '    I:         -20.1 LUFS',
    '[AVFilterGraph @ 0x1] [graph_0_in_0_0 @ 0x2] [warning] nested contexts keep their prefixes',
    '[verbose]   Input stream #0:0 (audio): 30 packets read (4670 bytes); 30 frames decoded (134505 samples); ',
    '[info] size=N/A time=00:00:03.05 bitrate=N/A speed= 200x    \r[error] Conversion failed!',
  ].join('\n');

  it('keeps the lines verbose would print, untagged, and continuations of those only', () => {
    expect(verboseLines(report)).toEqual([
      "Input #0, flac, from '/m/a.flac':",
      '  Duration: 00:00:03.05, start: 0.000000, bitrate: 122 kb/s',
      '[Parsed_ebur128_0 @ 0x560f0a3b0640] t: 0.0999773  TARGET:-23 LUFS    M:-120.7 S:-120.7',
      '[Parsed_ebur128_0 @ 0x560f0a3b0640] Summary:',
      '',
      '  Integrated loudness:',
      '    I:         -20.1 LUFS',
      '[AVFilterGraph @ 0x1] [graph_0_in_0_0 @ 0x2] nested contexts keep their prefixes',
      '  Input stream #0:0 (audio): 30 packets read (4670 bytes); 30 frames decoded (134505 samples); ',
      'size=N/A time=00:00:03.05 bitrate=N/A speed= 200x    ',
      'Conversion failed!',
    ]);
  });

  it("drops the report's header, so the command line (tags and all) never reads as a line ffmpeg said", () => {
    expect(verboseLines(report).join('\n')).not.toMatch(/error in title|Report written|Log level|started on/);
  });

  it('the closing stats survive the cut', () => {
    expect(parseAnalysis(verboseLines(report))).toEqual({ decodedSamples: 134505 });
  });
});

describe('eachReportLine', () => {
  it('reads a report of many chunks to the same lines as verboseLines, lines split across chunks included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'af-report-'));
    const path = join(dir, 'ffmpeg-20261129-152522.log');
    // About 1.5 MB: six 256 KiB chunks, whose edges fall inside lines, inside \r\n pairs or not.
    const block = (i: number) =>
      `[Parsed_ebur128_0 @ 0x5] [verbose] t: ${(i / 10).toFixed(1)}  TARGET:-23 LUFS    M:${(-20 - (i % 7)).toFixed(1)}\n` +
      (i % 5 === 0 ? `[flac @ 0x6] [debug] cur_dts is invalid ${i}\r\n  its continuation\r\n` : '');
    const text = `[info] ffmpeg started on today\nCommand line:\nffmpeg -report\n${Array.from({ length: 16000 }, (_, i) => block(i)).join('')}[info] size=N/A time=00:00:30.00\r[error] the end`;
    await writeFile(path, text);
    const got: string[] = [];
    expect(await eachReportLine(path, (l) => got.push(l))).toBe(true);
    const want = verboseLines(text);
    expect(want.length).toBe(16002);
    expect(got).toEqual(want);
  });

  it('false when there is no report to read', async () => {
    expect(await eachReportLine(join(tmpdir(), 'no-such-dir-af', 'ffmpeg.log'), () => {})).toBe(false);
  });
});

describe('a report line cut at 1023 bytes, with the next message glued on', () => {
  it('is split where the next tag starts, and each part keeps its own level', () => {
    const long = `[info] Input #0, flac, from '/m/${'d'.repeat(1000)}`;
    const text = [
      `${long}[info]   Metadata:`,
      `[flac @ 0x5649585] [verbose] ${'x'.repeat(1000)}[flac @ 0x5649585] [debug] cur_dts is invalid st:0`,
      `[debug] Splitting${'y'.repeat(1000)}[error] Error writing trailer: No space left on device`,
      '[Parsed_ebur128_0 @ 0x56] [verbose] t: 0.1  TARGET:-23 LUFS    M:-20.0',
    ].join('\n');
    expect(verboseLines(text)).toEqual([
      long.slice('[info] '.length),
      '  Metadata:',
      `[flac @ 0x5649585] ${'x'.repeat(1000)}`,
      'Error writing trailer: No space left on device',
      '[Parsed_ebur128_0 @ 0x56] t: 0.1  TARGET:-23 LUFS    M:-20.0',
    ]);
  });
});

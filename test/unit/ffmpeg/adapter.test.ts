/**
 * ffmpeg/adapter.ts: what ffmpeg's closing stats say was decoded, and what each output's encoder was given.
 */
import { describe, expect, it } from 'vitest';
import { parseAnalysis } from '../../../src/ffmpeg/adapter.js';

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

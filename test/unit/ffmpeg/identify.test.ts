/**
 * identify.ts: what `ffmpeg -i` prints about a file, parsed. Rows are real stderr of ffmpeg 4.1 (streams indented
 * four spaces) and 5.1 (two), trimmed.
 */
import { describe, expect, it } from 'vitest';
import { parseInputDump } from '../../../src/ffmpeg/identify.js';

const FLAC_51 = `Input #0, flac, from 'm.flac':
  Metadata:
    LYRICS          : line one
                    : line two
    ARTIST          : A
    track           : 3
    encoder         : Lavf59.27.100
  Duration: 00:00:01.00, start: 0.000000, bitrate: 641 kb/s
  Stream #0:0: Audio: flac, 44100 Hz, 5.1(side), s16
At least one output file must be specified`;

const OGG_41 = `Input #0, ogg, from 'o2.oga':
  Duration: 00:00:01.00, start: 0.000000, bitrate: 101 kb/s
    Stream #0:0: Audio: flac, 44100 Hz, stereo, s16
    Metadata:
      ENCODER         : Lavc58.42.100 flac
      TITLE           : OggT
At least one output file must be specified`;

const ALAC_COVER_51 = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:a.m4a':
  Metadata:
    major_brand     : M4A
    title           : Song
  Duration: 00:03:01.50, start: 0.000000, bitrate: 142 kb/s
  Stream #0:0[0x1](und): Audio: alac (alac / 0x63616C61), 96000 Hz, stereo, s32p (24 bit), 136 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
  Stream #0:1[0x0]: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 300x300, 90k tbr, 90k tbn (attached pic)
At least one output file must be specified`;

const DSF_ESTIMATED = `[dsf @ 0x5648e6a15840] Estimating duration from bitrate, this may be inaccurate
Input #0, dsf, from 't.dsf':
  Duration: 00:00:01.01, start: 0.000000, bitrate: 5645 kb/s
  Stream #0:0: Audio: dsd_lsbf_planar, 352800 Hz, stereo, fltp, 5644 kb/s
At least one output file must be specified`;

const GARBAGE_41 = `[flac @ 0x12c40b00] Format flac detected only with low score of 1, misdetection possible!
Input #0, flac, from 'g.flac':
  Duration: N/A, bitrate: N/A
    Stream #0:0: Audio: flac, 0 channels
At least one output file must be specified`;

const MONO_FL = `Input #0, wav, from 'm.wav':
  Duration: 00:00:02.00, bitrate: 705 kb/s
  Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 44100 Hz, 1 channels (FL), s16, 705 kb/s`;

const DTS_HD = `Input #0, matroska,webm, from 'x.mkv':
  Duration: 00:00:10.00, start: 0.000000, bitrate: 3000 kb/s
  Stream #0:0: Video: h264 (High), yuv420p(progressive), 1920x1080, 24 fps
  Stream #0:1(eng): Audio: dts (DTS-HD MA), 48000 Hz, 7.1, s32p (24 bit) (default)`;

describe('parseInputDump', () => {
  it.each([
    [
      'FLAC (5.1): file tags, a value on two lines, 5.1(side)',
      FLAC_51,
      {
        format: 'flac',
        duration: 1,
        durationEstimated: false,
        tags: { LYRICS: 'line one\nline two', ARTIST: 'A', track: '3', encoder: 'Lavf59.27.100' },
        streams: [
          {
            index: 0,
            type: 'audio',
            codec: 'flac',
            sampleRate: 44100,
            channels: 6,
            layout: '5.1(side)',
            sampleFormat: 's16',
          },
        ],
      },
    ],
    [
      'Ogg FLAC (4.1): the tags are on the stream',
      OGG_41,
      {
        format: 'ogg',
        tags: {},
        streams: [{ codec: 'flac', channels: 2, tags: { ENCODER: 'Lavc58.42.100 flac', TITLE: 'OggT' } }],
      },
    ],
    [
      'ALAC in MP4 with a cover: codec tag in parentheses, 24 bits, the picture stream marked',
      ALAC_COVER_51,
      {
        format: 'mov,mp4,m4a,3gp,3g2,mj2',
        duration: 181.5,
        tags: { major_brand: 'M4A', title: 'Song' },
        streams: [
          {
            codec: 'alac',
            detail: 'alac / 0x63616C61',
            sampleRate: 96000,
            sampleFormat: 's32p',
            bits: 24,
            attachedPic: false,
          },
          { index: 1, type: 'video', codec: 'mjpeg', attachedPic: true },
        ],
      },
    ],
    [
      'DSF: DSD at rate/8, duration estimated',
      DSF_ESTIMATED,
      {
        durationEstimated: true,
        duration: 1.01,
        streams: [{ codec: 'dsd_lsbf_planar', sampleRate: 352800, sampleFormat: 'fltp' }],
      },
    ],
    ['garbage: no rate, no channels', GARBAGE_41, { streams: [{ codec: 'flac', channels: 0, layout: '0 channels' }] }],
    [
      'a mono file with an FL-only mask',
      MONO_FL,
      { streams: [{ channels: 1, layout: '1 channels (FL)', sampleFormat: 's16' }] },
    ],
    [
      'a film: video first, then DTS-HD MA with its profile',
      DTS_HD,
      {
        streams: [
          { type: 'video', attachedPic: false },
          { index: 1, codec: 'dts', detail: 'DTS-HD MA', channels: 8, bits: 24 },
        ],
      },
    ],
  ])('%s', (_name, stderr, expected) => {
    expect(parseInputDump(stderr)).toMatchObject(expected);
  });

  it('"Duration: N/A" gives no duration', () => {
    expect(parseInputDump(GARBAGE_41)).not.toHaveProperty('duration');
  });

  it.each([
    ['ffmpeg could not open it', 'file:/x/g.flac: Invalid data found when processing input'],
    ['ffmpeg printed nothing', ''],
  ])('no input described (%s): undefined', (_name, stderr) => {
    expect(parseInputDump(stderr)).toBeUndefined();
  });
});

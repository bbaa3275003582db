/**
 * channels.ts: the channel count and layout filter of an output, per encoder and source channel count.
 */
import { describe, expect, it } from 'vitest';
import { channelPlan, type ChannelPlan } from '../../../src/plan/channels.js';

describe('channelPlan', () => {
  it.each<[string, string, number | undefined, number, ChannelPlan]>([
    ['flac keeps every channel and the layout', 'flac', undefined, 6, { channels: 6 }],
    ['flac keeps mono as it is (FL-only mask kept)', 'flac', undefined, 1, { channels: 1 }],
    [
      'a flac preset capped at 2 channels downmixes',
      'flac',
      2,
      6,
      { channels: 2, filter: 'aformat=channel_layouts=2c' },
    ],
    [
      'opus mono: relabelled mono whatever its mask',
      'libopus',
      8,
      1,
      { channels: 1, layout: 'mono', filter: 'channelmap=channel_layout=mono' },
    ],
    [
      'opus stereo: relabelled stereo',
      'libopus',
      8,
      2,
      { channels: 2, layout: 'stereo', filter: 'channelmap=channel_layout=stereo' },
    ],
    ['opus 3 channels: 3.0', 'libopus', 8, 3, { channels: 3, layout: '3.0', filter: 'channelmap=channel_layout=3.0' }],
    [
      'opus 4 channels (quad(side), 4.0, none): quad',
      'libopus',
      8,
      4,
      { channels: 4, layout: 'quad', filter: 'channelmap=channel_layout=quad' },
    ],
    [
      'opus 5 channels (5.0(side)): 5.0',
      'libopus',
      8,
      5,
      { channels: 5, layout: '5.0', filter: 'channelmap=channel_layout=5.0' },
    ],
    [
      'opus 6 channels (5.1(side)): 5.1',
      'libopus',
      8,
      6,
      { channels: 6, layout: '5.1', filter: 'channelmap=channel_layout=5.1' },
    ],
    ['opus 7 channels: 6.1', 'libopus', 8, 7, { channels: 7, layout: '6.1', filter: 'channelmap=channel_layout=6.1' }],
    ['opus 8 channels: 7.1', 'libopus', 8, 8, { channels: 8, layout: '7.1', filter: 'channelmap=channel_layout=7.1' }],
    [
      'opus, more than 8 channels: downmixed to 7.1',
      'libopus',
      8,
      10,
      { channels: 8, layout: '7.1', filter: 'aformat=channel_layouts=7.1' },
    ],
    [
      'a user opus preset capped at 2: a stereo downmix',
      'libopus',
      2,
      6,
      { channels: 2, layout: 'stereo', filter: 'aformat=channel_layouts=stereo' },
    ],
    [
      'mp3 mono stays mono',
      'libmp3lame',
      2,
      1,
      { channels: 1, layout: 'mono', filter: 'channelmap=channel_layout=mono' },
    ],
    [
      'mp3 from 5.1: a stereo downmix',
      'libmp3lame',
      2,
      6,
      { channels: 2, layout: 'stereo', filter: 'aformat=channel_layouts=stereo' },
    ],
    [
      'mp3 without maxChannels: still stereo, the encoder takes no more',
      'libmp3lame',
      undefined,
      4,
      { channels: 2, layout: 'stereo', filter: 'aformat=channel_layouts=stereo' },
    ],
    [
      'aac 7 channels (no MPEG-4 configuration): downmixed to 5.1',
      'aac',
      undefined,
      7,
      { channels: 6, layout: '5.1', filter: 'aformat=channel_layouts=5.1' },
    ],
    [
      'alac 8 channels: relabelled to 7.1(wide), samples untouched',
      'alac',
      undefined,
      8,
      { channels: 8, layout: '7.1(wide)', filter: 'channelmap=channel_layout=7.1(wide)' },
    ],
    ['an encoder without a table (wavpack) keeps all', 'wavpack', undefined, 8, { channels: 8 }],
  ])('%s', (_name, encoder, max, source, expected) => {
    expect(channelPlan(encoder, max, source)).toEqual(expected);
  });
});

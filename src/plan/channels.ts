/**
 * How many channels an output gets and the filter that gives them the layout its encoder accepts. Pure: the
 * source's layout is not known here (only its channel count), so the filter is chosen from the count alone and
 * works whatever mask the source carries.
 */
import { constrainsLayout, encoderLayout } from '../presets/channel-layouts.js';

export interface ChannelPlan {
  /** Channels of the output. */
  channels: number;
  /** The layout the output is labelled with; absent when the source's is kept. */
  layout?: string;
  /** An ffmpeg audio filter (first in the output's -af chain), absent when none is needed. */
  filter?: string;
}

/**
 * Same count: the channels are relabelled, in order (`channelmap`), to the encoder's layout for that count,
 * so 5.1(side) becomes 5.1, an FL-only mono becomes mono, and a source without a layout gets the one its count
 * implies; no channel is mixed into another. Fewer channels (the preset's maxChannels, or a count the encoder
 * cannot take): a real downmix (`aformat`, ffmpeg's matrix: centre and surrounds folded in, LFE left out).
 * An encoder with no layout table (flac) keeps every channel and the source's layout, unless maxChannels
 * asks for fewer.
 */
export function channelPlan(encoder: string, maxChannels: number | undefined, source: number): ChannelPlan {
  let channels = maxChannels && source > maxChannels ? maxChannels : source;
  if (!constrainsLayout(encoder)) {
    return channels === source ? { channels } : { channels, filter: `aformat=channel_layouts=${channels}c` };
  }
  while (channels > 1 && !encoderLayout(encoder, channels)) channels--;
  const layout = encoderLayout(encoder, channels);
  if (!layout) return { channels }; // an encoder that takes no count at all: let ffmpeg say so
  const filter = channels === source ? `channelmap=channel_layout=${layout}` : `aformat=channel_layouts=${layout}`;
  return { channels, layout, filter };
}

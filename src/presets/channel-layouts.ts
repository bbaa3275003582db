/**
 * The channel layouts each encoder accepts, by channel count, as data: an encoder listed here gets its
 * output labelled with the layout for its count (or downmixed to the largest count it takes), because
 * libopus, for one, refuses a 5.1(side) or an FL-only mono stream outright instead of converting it.
 */

/** Layouts by channel count: index 0 is 1 channel. A hole (`undefined`) is a count the encoder cannot take. */
export type LayoutsByCount = readonly (string | undefined)[];

/** Vorbis I channel mapping 1 (and Opus mapping family 1, which copies it): 1 to 8 channels, back surrounds. */
const VORBIS: LayoutsByCount = ['mono', 'stereo', '3.0', 'quad', '5.0', '5.1', '6.1', '7.1'];

/**
 * Encoders not listed (flac, wavpack, pcm_*) keep every channel and the source's layout. The rest, by ffmpeg
 * encoder name: libopus and libvorbis the Vorbis order; libmp3lame mono or stereo; aac the MPEG-4 channel
 * configurations (1-6 and 8, as ffmpeg's decoder names them); alac the layouts Apple's ALAC defines (ffmpeg's `-h encoder=alac` list).
 */
export const ENCODER_LAYOUTS: Readonly<Record<string, LayoutsByCount>> = {
  libopus: VORBIS,
  libvorbis: VORBIS,
  libmp3lame: ['mono', 'stereo'],
  aac: ['mono', 'stereo', '3.0', '4.0', '5.0', '5.1', undefined, '7.1'],
  alac: ['mono', 'stereo', '3.0', '4.0', '5.0', '5.1', '6.1(back)', '7.1(wide)'],
};

/** The layout ffmpeg's encoder `encoder` takes for `channels` channels; undefined when it takes any (or none). */
export function encoderLayout(encoder: string, channels: number): string | undefined {
  return ENCODER_LAYOUTS[encoder]?.[channels - 1];
}

/** Does this encoder constrain layouts at all (see ENCODER_LAYOUTS)? */
export function constrainsLayout(encoder: string): boolean {
  return encoder in ENCODER_LAYOUTS;
}

/**
 * Typed errors with stable string codes. Callers branch on `code`, never on message text,
 * and never on `instanceof` across package copies (a worker thread or a second install
 * has its own class objects).
 */

/** Every code audiofan can report, in the manifest or as a thrown error. */
export const ErrorCodes = {
  // Usage and configuration: these stop a run before any work (exit 2).
  E_USAGE: 'bad command line or option value',
  E_CONFIG_INVALID: 'config file could not be read or is invalid',
  E_PRESET_INVALID: 'a preset file is invalid',
  E_PRESET_UNKNOWN: 'an asked-for preset does not exist',
  E_FFMPEG_MISSING: 'no usable ffmpeg binary was found',
  E_ENCODER_MISSING: 'the ffmpeg binary lacks an encoder or filter a preset needs',
  E_SOURCE_DIR_MISSING: 'a source folder does not exist or is not a folder',
  E_OUTPUT_INSIDE_SOURCE: 'the output folder lies inside a source folder',
  E_OUTPUT_MISSING: 'the output folder does not exist (and --create was not given)',
  E_LOCKED: 'another audiofan run is using the output folder',
  // Added for issue 7 (lock, config, ffmpeg and manifest checks); all stop the run (exit 2).
  E_LOCK_STALE_UNKNOWN: 'the output folder has a lock that cannot be proven live or dead; a person must decide',
  E_LOCK_IO: "the output folder's lock file could not be created, read or removed",
  E_FFMPEG_UNUSABLE: 'the ffmpeg binary did not run or did not answer like ffmpeg',
  E_MANIFEST_INVALID: 'the manifest in the output folder is not a valid audiofan manifest',
  E_MANIFEST_NEWER: 'the manifest in the output folder was written by a newer audiofan',
  // Per source: recorded in the manifest; the batch goes on.
  E_SOURCE_UNREADABLE: 'the source file could not be opened or read',
  E_SOURCE_EMPTY: 'the source file is empty',
  E_SOURCE_CORRUPT: 'the source file is not a readable audio file',
  E_SOURCE_LOSSY: 'the source file is lossy audio; only lossless sources are converted',
  E_SOURCE_UNSUPPORTED: 'the source audio format is not supported',
  E_SOURCE_PROBE_FAILED: 'ffmpeg could not be run on the source, or did not identify it in time',
  E_SOURCE_TRUNCATED: 'the source decodes to much less audio than its header claims',
  E_SOURCE_CHANGED: 'the source file changed while it was being converted',
  E_SOURCE_GONE: 'the source is gone or no longer selected; its outputs are orphans',
  // Issue 9: depth, bit-exactness and damaged masters.
  E_SOURCE_DEPTH: "the master's samples need more bits than the lossless target can hold (see allowReduceDepth)",
  // Per output.
  E_FFMPEG_FAILED: 'ffmpeg exited with an error',
  E_NO_AUDIO_DECODED: 'ffmpeg decoded no audio from the source',
  E_OUTPUT_INVALID: 'the output file could not be read back',
  E_OUTPUT_DURATION: 'the output duration does not match the decoded source audio',
  E_OUTPUT_NOT_BITEXACT: "a lossless output does not decode to the master's samples",
  E_OUTPUT_WRITE: 'the output could not be written or moved into place',
  E_OUTPUT_COLLISION: 'two sources map to the same output path',
  E_OUTPUT_PATH_UNSAFE: 'an output path would leave the output folder',
  E_WORKER_CRASHED: 'the worker thread running this job died',
  E_CANCELLED: 'the run was cancelled before this output was finished',
  // Full disk (issue 7): a cron job must learn what filled up and where, and what was kept.
  E_DISK_FULL: 'the output could not be written: no space left on the device (or over quota)',
  E_MANIFEST_WRITE: 'the manifest could not be written; the previous one is kept, and the journal for the next run',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** An error with a stable `code`; `file` names the file it concerns, when there is one. */
export class AudiofanError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  constructor(code: ErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AudiofanError';
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
  }
}

/** True for any error carrying one of our codes, whichever copy of the class made it. */
export function isAudiofanError(e: unknown): e is AudiofanError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (e as { code: string }).code in ErrorCodes
  );
}

/** Usage and configuration errors stop the run (exit 2); everything else is per file. */
export function isFatalCode(code: ErrorCode): boolean {
  return [
    'E_USAGE',
    'E_CONFIG_INVALID',
    'E_PRESET_INVALID',
    'E_PRESET_UNKNOWN',
    'E_FFMPEG_MISSING',
    'E_ENCODER_MISSING',
    'E_SOURCE_DIR_MISSING',
    'E_OUTPUT_INSIDE_SOURCE',
    'E_OUTPUT_MISSING',
    'E_LOCKED',
    // issue 7
    'E_LOCK_STALE_UNKNOWN',
    'E_LOCK_IO',
    'E_FFMPEG_UNUSABLE',
    'E_MANIFEST_INVALID',
    'E_MANIFEST_NEWER',
  ].includes(code);
}

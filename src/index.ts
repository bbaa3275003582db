/**
 * audiofan's public API. Importing it has no side effects: no listeners, threads, file
 * reads or output happen until a function is called.
 */
export { convertLibrary, type RunResult } from './convert.js';
export { LibraryRun, type RunEvent, type ProgressEvent } from './library-run.js';
export { type ConvertOptions, type Logger, DEFAULTS } from './options.js';
export { AudiofanError, ErrorCodes, isAudiofanError, type ErrorCode } from './errors.js';
export { loadPresets, selectPresets, parsePreset, type Preset, type PresetSources } from './presets.js';
export { locateFfmpeg, type LocatedFfmpeg, type FfmpegSource } from './ffmpeg-locate.js';
export { inspectFfmpeg, type FfmpegInfo } from './ffmpeg.js';
export { requirements, assertCapabilities, type Requirement } from './capabilities.js';
export { doctor, type DoctorReport } from './doctor.js';
export { makeDemoLibrary, DEMO_PRESETS, type DemoLibrary } from './demo.js';
export { MANIFEST_NAME, MANIFEST_VERSION, type Manifest, type ManifestSource, type ManifestOutput, type RunSummary } from './manifest.js';
export { toolVersion } from './version.js';

/**
 * audiofan's public API. Importing it has no side effects: no listeners, threads, file
 * reads or output happen until a function is called.
 */
export { convertLibrary, type RunResult } from './run/convert.js';
export { LibraryRun, type RunEvent, type ProgressEvent, type ActiveJob } from './run/handle.js';
export { type ConvertOptions, type Logger, DEFAULTS } from './run/options.js';
export { AudiofanError, ErrorCodes, isAudiofanError, type ErrorCode } from './errors.js';
export { loadPresets, selectPresets, parsePreset, type Preset, type PresetSources } from './presets/presets.js';
export { locateFfmpeg, type LocatedFfmpeg, type FfmpegSource } from './ffmpeg/locate.js';
export { inspectFfmpeg, type FfmpegInfo } from './ffmpeg/adapter.js';
export { requirements, assertCapabilities, type Requirement } from './ffmpeg/capabilities.js';
export { doctor, type DoctorReport } from './ffmpeg/doctor.js';
export { makeDemoLibrary, DEMO_PRESETS, type DemoLibrary } from './demo/demo.js';
export {
  MANIFEST_NAME,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestSource,
  type ManifestOutput,
  type RunSummary,
} from './store/manifest.js';
export { toolVersion } from './version.js';
export { createServer, type AudiofanServer, type ServeOptions, type RescanResult } from './serve/server.js';
export { startWorker, type WorkerOptions, type QueueWorker } from './queue/worker.js';
export type { QueueSettings, QueueConnection } from './queue/url.js';

import { fileURLToPath } from 'node:url';

/**
 * Where the package's own files are. This module compiles to dist/src/paths.js, so the
 * package root is two levels up both in the repo and in an installed copy.
 */
export const packageRoot: string = fileURLToPath(new URL('../../', import.meta.url));
/** The built-in presets folder. */
export const builtinPresetsDir: string = fileURLToPath(new URL('../../presets/', import.meta.url));
/** The compiled transcode worker, resolved beside this module so it works when installed. */
export const transcodeWorkerPath: string = fileURLToPath(new URL('../workers/transcode.js', import.meta.url));
/** A JSON schema shipped with the package. */
export function schemaPath(name: string): string {
  return fileURLToPath(new URL(`./schemas/${name}`, import.meta.url));
}

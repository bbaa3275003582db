/** audiofan's own version, read once from its package.json (recorded in every manifest). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.js';

let cached: string | undefined;
/** audiofan's own version, from its package.json (read once, on first use). */
export function toolVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

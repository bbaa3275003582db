import { configDefaults, defineConfig } from 'vitest/config';
import { reporters } from './reporters.js';

// Kept under test/ so the top level holds only the folders the project layout names.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // The unit tier (test/unit/, on src/) has its own config: vitest.unit.config.ts.
    exclude: [...configDefaults.exclude, 'test/unit/**'],
    // Real ffmpeg on 2 cores: files run one after another so timings and process checks stay honest.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    ...reporters('e2e'),
  },
});

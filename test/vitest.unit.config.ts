import { defineConfig } from 'vitest/config';
import { reporters } from './reporters.js';

// The fast unit tier: pure modules imported from src/ (TypeScript, no build, no ffmpeg). Kept under test/ like the e2e config.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/unit/**/*.test.ts'],
    // No ffmpeg, no child processes: files may run side by side.
    fileParallelism: true,
    testTimeout: 10_000,
    ...reporters('unit'),
  },
});

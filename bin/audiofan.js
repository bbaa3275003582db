#!/usr/bin/env node
// Thin shim: everything lives in the compiled library (dist/); this file only sets the exit code.
import { main } from '../dist/src/cli/main.js';

// `audiofan --help | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  else throw e;
});
process.exitCode = await main(process.argv);

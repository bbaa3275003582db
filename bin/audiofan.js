#!/usr/bin/env node
// Thin shim: everything lives in the compiled library (dist/); this file only sets the exit code.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);

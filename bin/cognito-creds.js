#!/usr/bin/env node
// Thin shim: all the work is in the compiled TypeScript.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));

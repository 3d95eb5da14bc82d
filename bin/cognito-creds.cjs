#!/usr/bin/env node
'use strict';
// Thin shim. CommonJS on purpose: a cached credential-process call loads this and one bundled
// file with Node's CommonJS loader, the fastest start Node has (see docs/performance.md).
let cli;
try {
  cli = require('../dist/cognito-creds.cjs');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('cognito-creds.cjs')) {
    process.stderr.write('cognito-creds: this copy is not built (dist/cognito-creds.cjs is missing)\n  Run `npm run build` in its folder, or reinstall it.\n');
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

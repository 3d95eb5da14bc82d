#!/usr/bin/env node
'use strict';
// Thin shim. CommonJS on purpose: a cached credential-process call loads this and one bundled
// file with Node's CommonJS loader, the fastest start Node has (see docs/performance.md).
require('../dist/cognito-creds.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });

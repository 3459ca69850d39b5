#!/usr/bin/env node
// Committed shim so the bin link exists before `tsc -b` has produced dist/.
require('../dist/main.js');

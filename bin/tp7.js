#!/usr/bin/env node
// Thin launcher: the CLI bundled by `npm run build` (scripts/bundle.mjs: one file per command, loaded lazily).
import { leaveOnceDone, main } from '../dist/bundle/main.js';

await main(process.argv.slice(2));
// Whatever the command left running (work a time limit gave up on) does not keep tp7 alive past its output.
leaveOnceDone(process.exitCode ?? 0);

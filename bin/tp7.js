#!/usr/bin/env node
// Thin launcher: the CLI bundled by `npm run build` (scripts/bundle.mjs: one file per command, loaded lazily).
import { main } from '../dist/bundle/main.js';

await main(process.argv.slice(2));

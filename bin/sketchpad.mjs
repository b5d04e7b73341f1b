#!/usr/bin/env node
// The built CLI lives in out/main; say how to get it rather than failing with a module error.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  console.error('sketchpad: the CLI is not built yet. Run `npm run build` in the Sketchpad folder first.');
  process.exit(1);
}
await import(pathToFileURL(cli).href);

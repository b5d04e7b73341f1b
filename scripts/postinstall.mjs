// Runs after `npm install` / `npm ci`. Electron's own install script is switched off in package.json
// ("allowScripts"), because it downloads the Electron binary from GitHub, which is unreachable on
// some machines. Here we try that download ourselves and carry on without it: the engine, the CLI,
// the web host and every test but the Electron one work without the desktop binary.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { electronBinary } from './electronBinary.mjs';

const require = createRequire(import.meta.url);
let installScript;
try {
  installScript = require.resolve('electron/install.js');
} catch {
  process.exit(0); // production install without dev dependencies: nothing to do
}

if (process.env.SKETCHPAD_SKIP_ELECTRON_DOWNLOAD || electronBinary()) process.exit(0);
const result = spawnSync(process.execPath, [installScript], { encoding: 'utf8', timeout: 300_000 });
if (result.status === 0 && electronBinary()) {
  console.log('sketchpad: Electron downloaded; `npm start` opens the desktop app.');
} else {
  console.warn('sketchpad: the Electron binary could not be downloaded, so the desktop window is unavailable here; ' +
    '`npm start` serves the app to your browser instead. To get the window, run `node node_modules/electron/install.js` where GitHub is reachable.');
}

// `npm start`: the desktop app where Electron is installed, else the same app served to a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electronBinary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'out', 'main', 'index.js'))) {
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const electronPath = electronBinary();
const child = electronPath
  ? spawn(electronPath, [root], { stdio: 'inherit' })
  : (console.log('Electron is not installed here, so Sketchpad runs in your browser instead.'),
    spawn(process.execPath, [join(root, 'out', 'main', 'webHost.js'), ...process.argv.slice(2)], { stdio: 'inherit' }));
child.on('exit', (code) => process.exit(code ?? 0));

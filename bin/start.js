#!/usr/bin/env node
// `npm start`: the desktop app when the Electron binary is there; otherwise browser mode,
// said in one line, so a machine without Electron (or a screen) still gets the app.
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { electronBinary } from './electron-binary.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}

const extra = process.argv.slice(2);
if (!existsSync(path.join(root, 'build/renderer/index.html')) || !existsSync(path.join(root, 'build/src-main/app/main.js'))) {
  const build = spawn('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  await new Promise((resolve, reject) => build.on('exit', (c) => (c === 0 ? resolve() : reject(new Error('build failed')))));
}
const electron = electronBinary();
if (electron && !process.env.LOOKALIKE_BROWSER) {
  run(electron, [root, ...extra]);
} else {
  console.log('Electron binary not installed (it downloads on first use, which needs the internet): starting browser mode instead.');
  run(process.execPath, [path.join(root, 'bin/lookalike.js'), 'serve', ...extra]);
}

#!/usr/bin/env node
// The `lookalike` command. Runs the TypeScript sources through tsx, or the compiled build
// when the app is packaged (build/src-main exists and the sources do not).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}src-main/cli/main.ts`;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(`${root}build/src-main/cli/main.js`).href);
}

#!/usr/bin/env node
// `npm run bench [-- NAME [args]]`: lists the benchmarks, or runs one. Benchmarks print
// figures (medians); they never pass or fail on timing.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = path.join(root, 'bench');
const [name, ...args] = process.argv.slice(2);
const all = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();

if (!name) {
  console.log('Benchmarks (run one with: npm run bench -- NAME [options]):');
  for (const b of all) {
    const first = readFileSync(path.join(dir, `${b}.ts`), 'utf8').split('\n').find((l) => l.startsWith('//'));
    console.log(`  ${b.padEnd(22)} ${first ? first.replace(/^\/\/\s*/, '') : ''}`);
  }
  process.exit(0);
}
if (!all.includes(name)) {
  console.error(`no benchmark "${name}"; have: ${all.join(', ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.ts`), ...args], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);

// Native warnings kept off the user's terminal: Dawn's OpenGL ES backend (forced webgpu, no GPU)
// prints limits it lowered straight to descriptor 2. Real child processes, real descriptors,
// the real Dawn: stderr on a pipe, on a terminal, and into a log file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tsxLoaderUrl } from '../../../src-main/link/engine-process.js';

const run = promisify(execFile);
const src = (file: string) => JSON.stringify(path.resolve(import.meta.dirname, '../../../src-main/model', file));
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-quiet-'));
  // What native code does: write to descriptor 2 behind Node's back.
  writeFileSync(
    path.join(work, 'write.mts'),
    `import fs from 'node:fs';
import { withoutNativeStderr } from ${src('quiet-stderr.ts')};
process.stderr.write('before\\n');
const answer = withoutNativeStderr(() => (fs.writeSync(2, 'native\\n'), 42));
process.stderr.write(\`after \${answer}\\n\`);
`,
  );
  // The real thing: Dawn's GLES adapter, as the forced ladder asks for it (tfjs left out).
  writeFileSync(
    path.join(work, 'dawn.mts'),
    `import { loadWebGpu } from ${src('webgpu.ts')};
const info = await loadWebGpu({ forced: true, vulkan: () => false, activate: async () => undefined });
process.stderr.write(\`adapter \${info.api}\\n\`);
`,
  );
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Runs a script with its stderr on a pipe (a shell's `|`, as `lookalike ... 2>&1 | less`), on a
 * terminal (a pseudo-terminal from util-linux's `script`), or into a log file; returns stderr.
 */
async function child(script: string, env: Record<string, string> = {}, on: 'pipe' | 'terminal' | 'file' = 'pipe'): Promise<string> {
  const node = `"${process.execPath}" --import "${tsxLoaderUrl()}" "${path.join(work, script)}"`;
  const log = path.join(work, 'log.txt');
  const command = { pipe: `${node} 2>&1 >/dev/null | cat`, terminal: `script -qec '${node}' /dev/null`, file: `${node} 2> "${log}"` }[on];
  const { stdout } = await run('sh', ['-c', command], { env: { ...process.env, ...env } });
  return on === 'file' ? readFileSync(log, 'utf8') : stdout.replaceAll('\r\n', '\n');
}

describe('withoutNativeStderr', () => {
  it('drops what is written to descriptor 2 during the call, keeps what comes before and after', async () => {
    expect(await child('write.mts')).toBe('before\nafter 42\n');
    expect(await child('write.mts', {}, 'terminal')).toBe('before\nafter 42\n');
  });

  it('keeps everything with LOOKALIKE_VERBOSE=1', async () => {
    expect(await child('write.mts', { LOOKALIKE_VERBOSE: '1' })).toBe('before\nnative\nafter 42\n');
  });

  it('leaves a log file alone, so no line in it is written over', async () => {
    expect(await child('write.mts', {}, 'file')).toBe('before\nnative\nafter 42\n');
  });

  it("keeps Dawn's lowered-limit warnings off stderr when webgpu is forced onto OpenGL ES, unless verbose", async () => {
    expect(await child('dawn.mts')).toBe('adapter opengles\n');
    const loud = await child('dawn.mts', { LOOKALIKE_VERBOSE: '1' });
    expect(loud).toMatch(/artificially reduced/);
    expect(loud).toMatch(/adapter opengles\n$/);
  }, 60_000);
});

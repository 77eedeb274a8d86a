// The process boundaries of ARCHITECTURE.md are enforced by ESLint; this checks the very rules
// the project lints with (exported from eslint.config.js) really fire, so they cannot rot.
// Only the boundary rules run here, with the TypeScript parser and no type information: fast,
// and independent of what else the suite is doing.
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaries } from '../../../eslint.config.js';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`could not lint: ${fatal.message}`);
  return result.messages.map((m) => m.message);
}

describe('process boundaries', () => {
  it('keeps Node, Electron and the DOM out of src-shared', async () => {
    expect(await restrictedImports('src-shared/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).not.toEqual([]);
    expect(await restrictedImports('src-shared/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).not.toEqual([]);
    expect(await restrictedImports('src-shared/x.ts', 'export const w = window.innerWidth;\n')).not.toEqual([]);
    expect(await restrictedImports('src-shared/x.ts', "import { Engine } from '../src-main/engine/engine.js';\nexport const e = Engine;\n")).not.toEqual([]);
  });

  it('keeps src-main out of the renderer', async () => {
    const msgs = await restrictedImports('src-renderer/lib/x.ts', "import { Engine } from '../../src-main/engine/engine.js';\nexport const e = Engine;\n");
    expect(msgs.join(' ')).toMatch(/only through the contract client/);
    expect(await restrictedImports('src-renderer/lib/x.ts', "import path from 'node:path';\nexport const p = path;\n")).not.toEqual([]);
  });

  it('lets the renderer and src-shared import what they may', async () => {
    expect(await restrictedImports('src-renderer/lib/x.ts', "import { channel } from '../../src-shared/channels';\nexport const c = channel;\n")).toEqual([]);
    expect(await restrictedImports('src-shared/x.ts', "import { z } from 'zod';\nexport const s = z.string();\n")).toEqual([]);
  });
});

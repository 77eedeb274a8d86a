// The process boundaries of ARCHITECTURE.md are enforced by ESLint; this checks the rule
// really fires, so it cannot rot silently. Code is linted as if it stood in a real file of that
// folder (type-aware rules need a file the tsconfig includes).
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals').map((m) => m.message);
}

describe('process boundaries', () => {
  it('keeps Node, Electron and the DOM out of src-shared', async () => {
    expect(await restrictedImports('src-shared/channels.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).not.toEqual([]);
    expect(await restrictedImports('src-shared/channels.ts', "import { app } from 'electron';\nexport const a = app;\n")).not.toEqual([]);
    expect(await restrictedImports('src-shared/channels.ts', 'export const w = window.innerWidth;\n')).not.toEqual([]);
    expect(await restrictedImports('src-shared/channels.ts', "import { Engine } from '../src-main/engine/engine.js';\nexport const e = Engine;\n")).not.toEqual([]);
  });

  it('keeps src-main out of the renderer', async () => {
    const msgs = await restrictedImports('src-renderer/lib/drop.ts', "import { Engine } from '../../src-main/engine/engine.js';\nexport const e = Engine;\n");
    expect(msgs.join(' ')).toMatch(/only through the contract client/);
    expect(await restrictedImports('src-renderer/lib/drop.ts', "import path from 'node:path';\nexport const p = path;\n")).not.toEqual([]);
  });

  it('lets the renderer and src-shared import what they may', async () => {
    expect(await restrictedImports('src-renderer/lib/drop.ts', "import { channel } from '../../src-shared/channels';\nexport const c = channel;\n")).toEqual([]);
    expect(await restrictedImports('src-shared/channels.ts', "import { z } from 'zod';\nexport const s = z.string();\n")).toEqual([]);
  });
});

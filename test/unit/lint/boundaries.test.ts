// The process boundaries of ARCHITECTURE.md are enforced by ESLint; this checks the very rules
// the project lints with (exported from eslint.config.js) really fire, so they cannot rot.
// Only the boundary rules run here, with the TypeScript parser and no type information: fast,
// and independent of what else the suite is doing.
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaries, floorBoundaries, floors } from '../../../eslint.config.js';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries, ...floorBoundaries],
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

  it('lets src-shared and the renderer name modules statically only, so the rules above see them all', async () => {
    for (const file of ['src-shared/x.ts', 'src-renderer/lib/x.ts']) {
      for (const code of [
        "void import('../src-main/engine/engine.js');",
        "export type E = import('../src-main/engine/engine.js').Engine;",
        "import e = require('../src-main/engine/engine.js'); void e;",
        "import { createRequire } from 'module';\nvoid createRequire(import.meta.url)('../src-main/engine/engine.js');",
        "declare const require: (s: string) => unknown;\nvoid require('node:fs');",
      ]) {
        expect(await restrictedImports(file, `${code}\n`), `${file}: ${code}`).not.toEqual([]);
      }
    }
  });

  it('lets the renderer and src-shared import what they may', async () => {
    expect(await restrictedImports('src-renderer/lib/x.ts', "import { channel } from '../../src-shared/channels';\nexport const c = channel;\n")).toEqual([]);
    expect(await restrictedImports('src-shared/x.ts', "import { z } from 'zod';\nexport const s = z.string();\n")).toEqual([]);
  });
});

/** Every way a file can name another module, each as one line of code naming `spec`. */
const forms: Record<string, (spec: string, i: number) => string> = {
  'import': (spec, i) => `import { x${i} } from '${spec}'; void x${i};`,
  'import type': (spec, i) => `import type { T${i} } from '${spec}'; export type U${i} = T${i};`,
  'export from': (spec, i) => `export { x as x${i} } from '${spec}';`,
  'export * from': (spec) => `export * from '${spec}';`,
  'import()': (spec) => `void import('${spec}');`,
  "import('…') type": (spec, i) => `export type V${i} = import('${spec}').T;`,
  'import = require()': (spec, i) => `import r${i} = require('${spec}'); void r${i};`,
  'createRequire()()': (spec) => `createRequire(import.meta.url)('${spec}');`,
  'require made by createRequire': (spec) => `req('${spec}');`,
  'require.resolve': (spec) => `req.resolve('${spec}');`,
};
const prelude = "import { createRequire } from 'node:module';\nconst req = createRequire(import.meta.url);\n";

const folders = Object.keys(floors);
const mayImport = (from: string, to: string) => from === to || floors[from].includes(to);

/** For a file in `from`, the folders whose module `y.js` it is refused, naming them all in one form. */
async function refusedFolders(from: string, form: (spec: string, i: number) => string): Promise<string[]> {
  const lines = folders.map((to, i) => form(`../${to}/y.js`, i));
  const [result] = await eslint.lintText(prelude + lines.join('\n') + '\n', { filePath: path.join(root, `src-main/${from}/x.ts`) });
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`could not lint: ${fatal.message}`);
  const firstLine = prelude.split('\n').length;
  return [...new Set(result.messages.map((m) => folders[m.line - firstLine]))].sort();
}

describe("src-main's floors", () => {
  for (const [name, form] of Object.entries(forms)) {
    it(`refuses every arrow the floors do not name, and only those, written as ${name}`, async () => {
      for (const from of folders) {
        const refused = folders.filter((to) => !mayImport(from, to)).sort();
        expect(await refusedFolders(from, form), `${from}/ by ${name}`).toEqual(refused);
      }
    });
  }

  /** Lints `import { x } from '<spec>'` as if it were written in `file`. */
  const importing = (file: string, spec: string) => restrictedImports(file, `import { x } from '${spec}';\nexport const y = x;\n`);

  it('lets the CLI open an engine through its one door only', async () => {
    expect(await importing('src-main/cli/commands/x.ts', '../../engine/index.js')).toEqual([]);
    expect(await restrictedImports('src-main/cli/commands/x.ts', "void import('../../engine/index.js');\n")).toEqual([]);
    expect(await importing('src-main/cli/commands/x.ts', '../../engine/engine.js')).not.toEqual([]);
    expect(await restrictedImports('src-main/cli/x.ts', "void import('../engine/engine.js');\n")).not.toEqual([]);
  });

  it('keeps src-shared out of common/ alone, and the renderer out of src-main', async () => {
    expect(await importing('src-main/common/x.ts', '../../src-shared/contract.js')).not.toEqual([]);
    expect(await restrictedImports('src-main/common/x.ts', "void import('../../src-shared/contract.js');\n")).not.toEqual([]);
    for (const folder of folders.filter((f) => f !== 'common')) {
      expect(await importing(`src-main/${folder}/x.ts`, '../../src-shared/contract.js'), folder).toEqual([]);
    }
    expect(await importing('src-main/engine/x.ts', '../../src-renderer/lib/client.js')).not.toEqual([]);
    expect(await importing('src-main/common/x.ts', 'node:path')).toEqual([]);
  });

  it('refuses a file placed directly in src-main/, and imports of one', async () => {
    expect(await restrictedImports('src-main/x.ts', 'export const a = 1;\n')).not.toEqual([]);
    expect(await importing('src-main/engine/x.ts', '../helpers.js')).not.toEqual([]);
  });

  it('refuses a module name it cannot read', async () => {
    expect(await restrictedImports('src-main/engine/x.ts', 'const m = "../cli/cli.js";\nvoid import(m);\n')).not.toEqual([]);
    expect(await restrictedImports('src-main/engine/x.ts', 'const m = "../cli/cli.js";\nrequire(m);\n')).not.toEqual([]);
  });

  it('names every folder of src-main, so a new folder gets a floor', async () => {
    const { readdirSync } = await import('node:fs');
    const found = readdirSync(path.join(root, 'src-main'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(found.sort()).toEqual([...folders].sort());
    expect(await restrictedImports('src-main/newfolder/x.ts', 'export const a = 1;\n')).not.toEqual([]);
  });

  it('allows only arrows the code uses: every arrow of the table is taken by some file', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const used = new Set<string>();
    for (const from of folders) {
      const files = readdirSync(path.join(root, 'src-main', from), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
      for (const file of files) {
        const abs = path.join(root, 'src-main', from, file);
        for (const [, spec] of readFileSync(abs, 'utf8').matchAll(/(?:from\s*|import\s*\(\s*)['"](\.[^'"]+)['"]/g)) {
          const [to, ...rest] = path.relative(path.join(root, 'src-main'), path.resolve(path.dirname(abs), spec)).split(path.sep);
          used.add(`${from}>${to}`).add(`${from}>${to}/${rest.join('/').replace(/\.js$/, '')}`);
        }
      }
    }
    const unused = folders.flatMap((from) => floors[from].filter((to) => !used.has(`${from}>${to}`)).map((to) => `${from} -> ${to}`));
    expect(unused).toEqual([]);
  });
});

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

  it('lets the renderer and src-shared import what they may', async () => {
    expect(await restrictedImports('src-renderer/lib/x.ts', "import { channel } from '../../src-shared/channels';\nexport const c = channel;\n")).toEqual([]);
    expect(await restrictedImports('src-shared/x.ts', "import { z } from 'zod';\nexport const s = z.string();\n")).toEqual([]);
  });
});

/** Lints `import { x } from '<spec>'` as if it were written in `file`. */
const importing = (file: string, spec: string) => restrictedImports(file, `import { x } from '${spec}';\nexport const y = x;\n`);

describe("src-main's floors", () => {
  it('keeps every floor below the engine from importing it', async () => {
    for (const folder of ['common', 'jobs', 'library', 'search', 'model', 'ingest', 'learn', 'exchange', 'map', 'link']) {
      expect(await importing(`src-main/${folder}/x.ts`, '../engine/engine.js'), folder).not.toEqual([]);
    }
  });

  it('keeps the transports on the link: no engine parts in the server, the shell or the CLI', async () => {
    expect(await importing('src-main/server/x.ts', '../engine/engine.js')).not.toEqual([]);
    expect(await importing('src-main/app/x.ts', '../engine/vector-library.js')).not.toEqual([]);
    expect(await importing('src-main/app/x.ts', '../library/catalog.js')).not.toEqual([]);
    expect(await importing('src-main/cli/commands/x.ts', '../../engine/engine.js')).not.toEqual([]);
    expect(await importing('src-main/cli/commands/x.ts', '../../library/catalog.js')).not.toEqual([]);
    // ...but the CLI may open an engine in its own process, through the engine's one door.
    expect(await importing('src-main/cli/commands/x.ts', '../../engine/index.js')).toEqual([]);
    expect(await importing('src-main/server/x.ts', '../link/engine-link.js')).toEqual([]);
  });

  it('keeps lower floors from importing higher ones, and siblings apart', async () => {
    expect(await importing('src-main/engine/x.ts', '../server/server.js')).not.toEqual([]);
    expect(await importing('src-main/engine/x.ts', '../cli/cli.js')).not.toEqual([]);
    expect(await importing('src-main/engine/x.ts', '../app/main.js')).not.toEqual([]);
    expect(await importing('src-main/exchange/x.ts', '../map/pca.js')).not.toEqual([]);
    expect(await importing('src-main/learn/x.ts', '../exchange/csv.js')).not.toEqual([]);
    expect(await importing('src-main/search/x.ts', '../learn/head.js')).not.toEqual([]);
    expect(await importing('src-main/library/x.ts', '../model/backbone.js')).not.toEqual([]);
    expect(await importing('src-main/link/x.ts', '../library/catalog.js')).not.toEqual([]);
    expect(await importing('src-main/map/x.ts', '../exchange/model-vectors.js')).toEqual([]);
    expect(await importing('src-main/engine/x.ts', '../learn/head.js')).toEqual([]);
  });

  it('keeps common/ free of everything of ours', async () => {
    expect(await importing('src-main/common/x.ts', '../library/catalog.js')).not.toEqual([]);
    expect(await importing('src-main/common/x.ts', '../../src-shared/contract.js')).not.toEqual([]);
    expect(await importing('src-main/common/x.ts', 'node:path')).toEqual([]);
  });

  it('names every folder of src-main, so a new folder gets a floor', async () => {
    const { readdirSync } = await import('node:fs');
    const folders = readdirSync(path.join(root, 'src-main'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.sort()).toEqual(Object.keys(floors).sort());
  });
});


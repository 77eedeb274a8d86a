// electron-builder.yml: valid for the electron-builder we depend on, and packing what the app
// needs to run (code, UI, engine entry, native modules and model files outside the asar,
// icons). The packaged app itself cannot be built here: electron-builder downloads Electron.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// Both come with electron-builder (a devDependency); neither ships TypeScript types.
const yaml = require('js-yaml') as { load(text: string): unknown };
const { minimatch } = require('minimatch') as { minimatch(file: string, pattern: string, opts?: { dot?: boolean }): boolean };
type AjvInstance = { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null } };
const Ajv = require('ajv') as { default: new (opts: object) => AjvInstance };

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { buildResources: string; output: string };
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  buildDependenciesFromSource?: boolean;
  linux: { target: string[]; icon: string; files?: string[] };
  mac: { target: string | string[]; icon: string; files?: string[] };
  win: { target: string | string[]; icon: string; files?: string[] };
}

const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** electron-builder's own rule: a file is packed if the last pattern that matches it is positive. */
function packed(file: string): boolean {
  let included = false;
  for (const p of config.files) {
    if (p.startsWith('!')) {
      if (minimatch(file, p.slice(1), { dot: true })) included = false;
    } else if (minimatch(file, p, { dot: true })) included = true;
  }
  return included;
}

const unpacked = (file: string) => config.asarUnpack.some((p) => minimatch(file, p, { dot: true }) || minimatch(file, `**/${p}`, { dot: true }));

/** Files under node_modules/<pkg> (relative to the repository), recursively. */
function filesOf(pkg: string, keep: (f: string) => boolean): string[] {
  const dir = path.join(root, 'node_modules', pkg);
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => path.posix.join('node_modules', pkg, f.split(path.sep).join('/')))
    .filter((f) => keep(f) && fs.statSync(path.join(root, f)).isFile());
}

describe('electron-builder.yml', () => {
  it('is valid against the configuration schema of the installed electron-builder', () => {
    const schema = JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv.default({ strict: false, allErrors: true }).compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('names the app and builds AppImage and deb, dmg, and nsis', () => {
    expect(config.appId).toBe('app.lookalike.desktop');
    expect(config.productName).toBe('Lookalike');
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect([config.mac.target].flat()).toContain('dmg');
    expect([config.win.target].flat()).toContain('nsis');
  });

  it('keeps its build resources out of build/, where the compiled code lives', () => {
    expect(config.directories.buildResources).not.toBe('build');
    expect(packed(`${config.directories.buildResources}/icon.png`)).toBe(false);
  });

  it('packs the main process, preload, engine entry, UI and CLI, without source maps', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; bin: Record<string, string> };
    expect(pkg.main).toBe('build/src-main/app/main.js');
    for (const f of [
      pkg.main,
      'build/src-main/app/preload.cjs',
      // The engine's utilityProcess entry: engineEntry() picks engine/main.js beside the compiled link/ folder.
      'build/src-main/engine/main.js',
      'build/src-shared/contract.js',
      'build/renderer/index.html',
      'build/renderer/assets/index-abc123.js',
      ...Object.values(pkg.bin),
      'package.json',
    ]) {
      expect(packed(f), f).toBe(true);
    }
    for (const f of ['build/src-main/app/main.js.map', 'src-main/app/main.ts', 'test/unit/app/packaging.test.ts', 'bench/index.ts']) {
      expect(packed(f), f).toBe(false);
    }
  });

  it('compiles main-process code to the paths the packer and engineEntry() expect', () => {
    // engineEntry() takes engine/main.<ext> beside link/engine-process.<ext>: tsc keeps folders (rootDir '.') under build/.
    const ts = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.main.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(ts.compilerOptions).toMatchObject({ outDir: 'build', rootDir: '.' });
    expect(fs.existsSync(path.join(root, 'src-main/link/engine-process.ts'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'src-main/engine/main.ts'))).toBe(true);
    // The preload bundle lands next to main.js, where main.ts looks for it.
    expect(fs.readFileSync(path.join(root, 'vite.preload.config.ts'), 'utf8')).toMatch(/outDir: 'build\/src-main\/app'/);
  });

  it('unpacks every native module, sharp’s libvips, the CNN weights and the wasm binaries from the asar', () => {
    const natives = [
      ...filesOf('better-sqlite3', (f) => f.endsWith('.node')),
      ...filesOf('hnswlib-node', (f) => f.endsWith('.node')),
      ...filesOf('@img', (f) => /\.(node|so[.\d]*|dylib|dll)$/.test(f)),
    ];
    expect(natives.some((f) => f.includes('better_sqlite3.node'))).toBe(true);
    expect(natives.some((f) => f.includes('hnswlib-node'))).toBe(true);
    const model = filesOf('nsfwjs/dist/models/mobilenet_v2', () => true);
    const wasm = filesOf('@tensorflow/tfjs-backend-wasm/dist', (f) => f.endsWith('.wasm'));
    expect(model.length).toBeGreaterThan(0);
    expect(wasm.length).toBeGreaterThan(0);
    for (const f of [...natives, ...model, ...wasm]) expect(unpacked(f), f).toBe(true);
    // ...and only those: plain JavaScript stays inside the archive.
    expect(unpacked('node_modules/zod/index.js')).toBe(false);
  });

  // A production dependency's file ships unless a negative pattern (top level, then the
  // platform's, ${arch} expanded as electron-builder does) drops it last.
  const shipped = (platform: 'linux' | 'mac' | 'win', arch: string, file: string) => {
    let included = true;
    for (const raw of [...config.files, ...(config[platform].files ?? [])]) {
      const p = raw.replaceAll('${arch}', arch);
      if (p.startsWith('!')) {
        if (minimatch(file, p.slice(1), { dot: true })) included = false;
      } else if (file.startsWith('node_modules/') && minimatch(file, p, { dot: true })) included = true;
    }
    return included;
  };

  it("ships Dawn's dawn.node for its own platform only, unpacked so the engine can load it", () => {
    const dawns = filesOf('webgpu/dist', (f) => f.endsWith('/dawn.node'));
    expect(dawns.length).toBeGreaterThanOrEqual(5);
    const own: [platform: 'linux' | 'mac' | 'win', arch: string, folder: string][] = [
      ['linux', 'x64', 'linux-x64'],
      ['linux', 'arm64', 'linux-arm64'],
      ['mac', 'universal', 'darwin-universal'],
      ['win', 'x64', 'win32-x64'],
      ['win', 'arm64', 'win32-arm64'],
    ];
    for (const [platform, arch, folder] of own) {
      const kept = dawns.filter((f) => shipped(platform, arch, f));
      expect(kept, `${platform} ${arch}`).toEqual([`node_modules/webgpu/dist/${folder}/dawn.node`]);
      // The package's own code stays, whatever the platform.
      expect(shipped(platform, arch, 'node_modules/webgpu/index.js')).toBe(true);
    }
    for (const f of [...dawns, ...filesOf('webgpu/dist/win32-x64', (f) => f.endsWith('.dll'))]) expect(unpacked(f), f).toBe(true);
    expect(unpacked('node_modules/webgpu/index.js')).toBe(false);
  });

  it('rebuilds native modules for Electron', () => {
    expect(config.npmRebuild).toBe(true);
  });
});

describe('icons', () => {
  it('has a large PNG for macOS and Windows and a Linux set whose names match their sizes', async () => {
    const big = await sharp(path.join(root, config.mac.icon)).metadata();
    expect(big.width).toBeGreaterThanOrEqual(512);
    expect(big.height).toBe(big.width);
    expect(config.win.icon).toBe(config.mac.icon);
    const dir = path.join(root, config.linux.icon);
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.png'));
    expect(names).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '48x48.png', '256x256.png', '512x512.png']));
    for (const name of names) {
      const m = await sharp(path.join(dir, name)).metadata();
      expect(`${m.width}x${m.height}.png`, name).toBe(name);
    }
  });

  it('are made from our SVG and stay small', () => {
    expect(fs.readFileSync(path.join(root, 'resources/icon.svg'), 'utf8')).toMatch(/<circle[^>]*\/>[\s\S]*<circle/);
    const total = [config.mac.icon, ...fs.readdirSync(path.join(root, config.linux.icon)).map((f) => path.join(config.linux.icon, f))]
      .map((f) => fs.statSync(path.join(root, f)).size)
      .reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(200_000);
  });
});

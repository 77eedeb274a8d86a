// Lint rules, including the process boundaries of ARCHITECTURE.md: src-shared imports nothing
// from Node, Electron, the DOM or the other folders; the renderer never imports src-main.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const nodeModules = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'url'];

/** The process boundaries, exported so a test can prove they fire. */
export const boundaries = [
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeModules, message: 'src-shared runs everywhere: no Node modules.' },
            { group: ['electron', 'electron/*'], message: 'src-shared runs everywhere: no Electron.' },
            { group: ['**/src-main/**', '**/src-renderer/**', 'svelte', 'svelte/*'], message: 'src-shared imports nothing else of ours.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/src-main/**'], message: 'The renderer talks to the engine only through the contract client.' },
            { group: nodeModules, message: 'The renderer has no Node.' },
            { group: ['electron', 'electron/*'], message: 'The renderer reaches Electron only through window.lookalike.' },
          ],
        },
      ],
    },
  },
];

/**
 * src-main's floors, lowest first: each folder may import only the folders it names (and
 * src-shared, except common/). Transports (app, server, cli) hold a link to the engine and
 * never its parts; the CLI alone may open an engine in its own process, through engine/index.
 */
export const floors = {
  common: [],
  jobs: ['common'],
  library: ['common'],
  search: ['common'],
  model: ['common', 'library'],
  ingest: ['common', 'library', 'model'],
  learn: ['common', 'model', 'search'],
  exchange: ['common', 'library', 'model', 'search', 'ingest', 'learn'],
  map: ['common', 'library', 'model', 'search', 'learn', 'exchange', 'jobs'],
  link: ['common'],
  engine: ['common', 'jobs', 'library', 'search', 'model', 'ingest', 'learn', 'exchange', 'map', 'link'],
  server: ['common', 'link'],
  app: ['common', 'link'],
  cli: ['common', 'link', 'server', 'engine/index'],
};

function floorRule(folder, allowed) {
  const others = Object.keys(floors).filter((f) => f !== folder);
  const patterns = others.flatMap((other) => {
    const exceptions = allowed.filter((a) => a.startsWith(`${other}/`)).map((a) => `!**/${a}.js`);
    if (allowed.includes(other)) return [];
    return [{
      group: [`**/${other}/**`, ...exceptions],
      message: `${folder}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of ours'} (see floors in eslint.config.js and ARCHITECTURE.md).`,
    }];
  });
  if (folder === 'common') patterns.push({ group: ['**/src-shared/**'], message: 'common/ imports nothing of ours.' });
  return { files: [`src-main/${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export const floorBoundaries = Object.entries(floors).map(([folder, allowed]) => floorRule(folder, allowed));

export default tseslint.config(
  { ignores: ['build/', 'dist/', 'release/', 'node_modules/', 'test-results/', 'playwright-report/', '.bench-out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src-main/**/*.ts', 'src-shared/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.main.json' } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    languageOptions: {
      parserOptions: {
        project: './tsconfig.json',
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  ...boundaries,
  ...floorBoundaries,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
);

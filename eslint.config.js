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
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
);

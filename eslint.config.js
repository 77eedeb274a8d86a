// Lint rules, including the process boundaries of ARCHITECTURE.md: src-shared imports nothing
// from Node, Electron, the DOM or the other folders; the renderer never imports src-main.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const nodeModules = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'url'];

/**
 * src-shared and the renderer name modules statically only, so the patterns below see every
 * module they use: no import(), require, createRequire or import('…') types.
 */
const staticImportsOnly = [
  'error',
  ...['ImportExpression', 'TSImportType', 'TSImportEqualsDeclaration', "CallExpression[callee.name='require']", "CallExpression[callee.name='createRequire']", "CallExpression[callee.object.name='require']"].map((selector) => ({
    selector,
    message: 'src-shared and the renderer import modules statically only, so the boundary rules can see them.',
  })),
];

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
      'no-restricted-syntax': staticImportsOnly,
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
      'no-restricted-syntax': staticImportsOnly,
    },
  },
];

/**
 * src-main's floors, lowest first: each folder may import only the folders it names (and
 * src-shared, except common/). Transports (app, server, cli) hold a link to the engine and
 * never its parts; the CLI alone may open an engine in its own process, through engine/index.
 * Only the arrows the code uses are here, so a new one is a decision made in this table.
 */
export const floors = {
  common: [],
  jobs: [],
  library: ['common'],
  search: ['common'],
  model: ['common'],
  ingest: ['common', 'library'],
  learn: ['common', 'model'],
  map: ['common', 'jobs', 'library'],
  exchange: ['common', 'library', 'model', 'ingest', 'learn'],
  copies: ['common', 'library', 'search', 'model', 'ingest'],
  link: ['common'],
  engine: ['common', 'jobs', 'library', 'search', 'model', 'ingest', 'learn', 'exchange', 'map', 'link', 'copies/index'],
  server: ['common', 'link'],
  app: ['common', 'link'],
  cli: ['common', 'link', 'server', 'engine/index'],
};

const here = path.dirname(fileURLToPath(import.meta.url));

/** The string a module-name node spells, or null when it is computed. */
function literalName(node) {
  if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  if (node?.type === 'TSLiteralType') return literalName(node.literal);
  return null;
}

const isCall = (node, name) => node?.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === name;

/** Whether `callee` loads a module: require, require.resolve, or a require made by createRequire. */
function loadsModule(callee, scope) {
  const target = callee.type === 'MemberExpression' && !callee.computed && callee.property.name === 'resolve' ? callee.object : callee;
  if (isCall(target, 'createRequire')) return true;
  if (target.type !== 'Identifier') return false;
  if (target.name === 'require') return true;
  for (let s = scope; s; s = s.upper) {
    const variable = s.set.get(target.name);
    if (variable) return variable.defs.some((d) => d.node.type === 'VariableDeclarator' && isCall(d.node.init, 'createRequire'));
  }
  return false;
}

/**
 * The floors as one rule that sees every way a file names another (as VS Code's layering rule
 * does): static imports, `import type`, `export … from`, `import()`, `import('…')` types,
 * `import x = require()`, and require / require.resolve, also through createRequire. A name it
 * cannot read (a computed one) is an error too, and so is a file directly in src-main/.
 */
const floorsRule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const srcMain = path.join(here, 'src-main');
    const [folder, ...rest] = path.relative(srcMain, context.filename).split(path.sep);
    if (folder.startsWith('..')) return {};
    const allowed = floors[folder];
    const report = (node, message) => context.report({ node, message });
    if (rest.length === 0 || !allowed) {
      return {
        Program: (node) => report(node, rest.length === 0
          ? 'A file in src-main sits in a floor folder (see floors in eslint.config.js and ARCHITECTURE.md).'
          : `src-main/${folder}/ has no floor: give it one in eslint.config.js.`),
      };
    }
    const refusal = `${folder}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of ours'}${folder === 'common' ? '' : ' and src-shared'} (see floors in eslint.config.js and ARCHITECTURE.md).`;
    const check = (node, nameNode) => {
      const name = literalName(nameNode);
      if (name === null) return report(node, 'A computed module name cannot be checked against the floors: spell it out.');
      if (!name.startsWith('.')) return undefined;
      const target = path.resolve(path.dirname(context.filename), name);
      const inMain = path.relative(srcMain, target).split(path.sep);
      if (inMain[0] === '..') {
        const top = path.relative(here, target).split(path.sep)[0];
        if (top === 'src-renderer' || (top === 'src-shared' && folder === 'common')) report(node, refusal);
        return undefined;
      }
      if (inMain.length === 1) return report(node, 'Nothing in src-main sits outside a floor folder.');
      const [to, ...file] = inMain;
      const door = `${to}/${file.join('/').replace(/\.[cm]?[jt]s$/, '')}`;
      if (to !== folder && !allowed.includes(to) && !allowed.includes(door)) report(node, refusal);
      return undefined;
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.source ?? node.argument),
      TSExternalModuleReference: (node) => check(node, node.expression),
      CallExpression: (node) => {
        if (loadsModule(node.callee, context.sourceCode.getScope(node))) check(node, node.arguments[0]);
      },
    };
  },
};

export const floorBoundaries = [
  { files: ['src-main/**/*.ts'], plugins: { lookalike: { rules: { floors: floorsRule } } }, rules: { 'lookalike/floors': 'error' } },
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
  ...floorBoundaries,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
);

// ARCHITECTURE.md names files and folders in backticks; a name that no longer exists is a
// wrong word. This fails when one does not. A name is looked for as the end of a path in the
// source trees (`learn/teach.ts`, `teach.ts`, `losses/`); `*` matches within one name. The
// library's own folders (the "On disk" block) are not ours to find.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const doc = readFileSync(path.join(root, 'ARCHITECTURE.md'), 'utf8');

/** Every file and folder of the source trees, relative to the root, folders ending in '/'. */
function entries(): string[] {
  const out: string[] = [];
  for (const top of ['src-main', 'src-shared', 'src-renderer', 'test', 'bench', 'bin', 'scripts', 'resources']) {
    out.push(`${top}/`);
    for (const e of readdirSync(path.join(root, top), { recursive: true, withFileTypes: true })) {
      const rel = path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/');
      out.push(e.isDirectory() ? `${rel}/` : rel);
    }
  }
  for (const e of readdirSync(root, { withFileTypes: true })) if (e.isFile()) out.push(e.name);
  return out;
}

const pattern = (name: string) => new RegExp(`(^|/)${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

/** What a library folder holds, as the document's "On disk" block lists it. */
const onDisk = new Set(
  [...(/## On disk[\s\S]*?```\n([\s\S]*?)```/.exec(doc)?.[1] ?? '').matchAll(/^(\S+)/gm)].map((m) => m[1]),
);

/** The backticked names in `text` (outside fenced code) that look like a file or folder of ours. */
function pathsNamed(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '');
  const names = [...prose.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]);
  return [...new Set(names)].filter((n) => !/[<>:()]/.test(n) && !n.startsWith('*') && (/\.(ts|js|svelte|json|md)$/.test(n) || n.endsWith('/')) && !onDisk.has(n));
}

describe('ARCHITECTURE.md', () => {
  const all = entries();
  const exists = (name: string): boolean => all.some((e) => pattern(name).test(e));

  it('names files and folders that exist', () => {
    expect(onDisk).toContain('index/');
    const named = pathsNamed(doc);
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((n) => !exists(n))).toEqual([]);
  });

  it('catches a name that is gone', () => {
    expect(pathsNamed('see `engine/makeHandlers.ts` and `learn/teach.ts`')).toEqual(['engine/makeHandlers.ts', 'learn/teach.ts']);
    expect(exists('engine/makeHandlers.ts')).toBe(false);
    expect(exists('learn/teach.ts')).toBe(true);
    expect(exists('no-such-folder/')).toBe(false);
  });
});

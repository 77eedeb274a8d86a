// Types for eslint.config.js, whose boundary rules a unit test imports.
import type { Linter } from 'eslint';

export const boundaries: Linter.Config[];
/** src-main's folders, each with the folders it may import. */
export const floors: Record<string, string[]>;
export const floorBoundaries: Linter.Config[];
declare const config: Linter.Config[];
export default config;

// Types for eslint.config.js, whose boundary rules a unit test imports.
import type { Linter } from 'eslint';

export const boundaries: Linter.Config[];
declare const config: Linter.Config[];
export default config;

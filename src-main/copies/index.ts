// Public entry of the copies area: exact copies, edited copies of a query, and the duplicates
// of a library (descriptor neighbours and layout proposals, confirmed by the pixel match, with
// stored verdicts). The engine imports this file only.
export { NearDuplicates } from './near-duplicates.js';
export { findExactCopy, type ExactCopy } from './exact-copy.js';
export type { FoundCopy } from './copy-check.js';
export type { DuplicatesPhase, SearchWatch } from './duplicates.js';

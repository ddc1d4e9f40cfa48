/** Practice files (coverage, authorizations, enrolment): loading, checking and lookups. */
export * from './types.js';
export { hasPracticeFiles, loadPracticeFiles, parsePracticeFile, practiceFileError, type PracticeFileCounts } from './load.js';
export { codeInRanges, mergeSpans, normalizeId } from './lookups.js';

/** Reference data: importers, the data directory, and the loaded tables the engine consults. */
export * from './types.js';
export {
  DEFAULT_DATA_DIR,
  MANIFEST_FILE,
  checkInstallable,
  installRelease,
  isDataKind,
  listReleases,
  loadReferenceData,
  manifestProblems,
  releaseDir,
  releaseNameProblem,
  type InstallOptions,
  type InstallResult,
  type InstalledRelease,
  type ReleaseContent,
} from './store.js';
export { RELEASE_PERIOD_END, coverage, coveredUntil, createReleaseSet, dayBefore, icd10cmReleaseEnd, quarterlyReleaseEnd, releaseSetsOf } from './release-set.js';
export { formatProblem, rowProblemToScrub, type RowProblem } from './problems.js';
export {
  ICD10CM_DOTLESS_CODE,
  OrderFileParser,
  parseOrderFile,
  parseOrderText,
  type OrderFileContent,
  type OrderRow,
  type ParsedOrderFile,
} from './icd10cm/parse-order-file.js';
export { ICD10CM_TABLE_FILE, buildIcd10cmTables, createIcd10cmTable, loadIcd10cmTable, type Icd10cmCounts } from './icd10cm/table.js';
export { readIcd10cmRelease } from './icd10cm/import.js';
export { importRelease, type ImportRequest, type ImportResult } from './import-release.js';
export { DATA_KIND_DEFINITIONS, type DataKindDefinition } from './kinds.js';

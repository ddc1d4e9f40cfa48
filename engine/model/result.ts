/** The closed list of rule and edit categories: rule folders, edits and summaries all use it. */
export const CATEGORIES = [
  'structure',
  'demographics',
  'eligibility',
  'authorization',
  'modifier',
  'diagnosis',
  'coding',
  'provider',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** held: at least one error edit; warning: worst edit is a warning; clean: otherwise. */
export type ClaimStatus = 'clean' | 'warning' | 'held';

/** Where a claim came from: the input file and the 1-based line its text starts on. */
export interface ClaimSource {
  file: string;
  line: number;
}

/** Reference data behind an edit: the table, its release, and the row that decided it. */
export interface EditSource {
  /** icd10cm, ncci-ptp, mue, hcpcs. */
  table: string;
  /** medicare | medicaid, for tables published per program. */
  program?: string;
  release: string;
  /** The release's effective date, YYYY-MM-DD. */
  effective: string;
  /** The row as published (for example a PTP pair with its dates and modifier indicator). */
  row?: Record<string, string | number | null>;
}

/** One defect found on a claim. Field names are fixed for pipelines. */
export interface Edit {
  /** The rule id, or a stable kebab-case code from EDIT_CODES for edits that come from no rule. */
  code: string;
  severity: Severity;
  category: Category;
  message: string;
  /** The field, 0-based: `serviceLines[2].modifiers`; empty for the claim as a whole. */
  path: string;
  /** 1-based service line number; absent on claim-level edits. */
  serviceLine?: number;
  help: string;
  /** The claim adjustment reason code (X12 CARC) of the denial the edit prevents. */
  carc?: string;
  /** The rule that produced the edit; absent on edits that come from no rule. */
  rule?: { id: string; version: number };
  /** For table-backed checks: the reference data releases and rows the edit rests on. */
  sources?: EditSource[];
}

export interface ScrubResult {
  /** The claim's id (patient control number), or null when it could not be read. */
  claimId: string | null;
  source: ClaimSource;
  status: ClaimStatus;
  edits: Edit[];
  /** The payer policy that applied (a payers/ file id), or null for the base rule set. */
  payerPolicy: string | null;
  /** Reference tables that no installed release covered for this claim's dates: checks skipped. */
  dataMissing?: string[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function statusOf(edits: readonly Edit[]): ClaimStatus {
  let worst = -1;
  for (const edit of edits) worst = Math.max(worst, SEVERITY_RANK[edit.severity]);
  return worst === 2 ? 'held' : worst === 1 ? 'warning' : 'clean';
}

export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

import type { ClaimBatchFacts } from '../checks/batch/types.js';
import type { PracticeData } from '../data/practice/types.js';
import type { ReferenceData } from '../data/types.js';
import { field, isRecord } from '../checks/values.js';
import type { ParsedItem } from '../ingest/index.js';
import { isIsoDate } from '../model/dates.js';
import { EDIT_CODES, builtInEdit, statusOf, validateClaim, type ClaimSource, type Edit, type EditSource, type ScrubResult } from '../model/index.js';
import type { ActiveRule, CompiledPack, RuleBundle } from '../rules/bundle.js';
import { createEvaluationContext, enterLine, readFact, resetEvaluationContext, type EvaluationContext } from '../rules/compile/index.js';
import { renderTemplate } from '../rules/template.js';

/** A rule with effective / expires dates applies only when the date of service is known and inside them. */
export function appliesOn(rule: ActiveRule, date: unknown): boolean {
  if (!rule.dated) return true;
  const { effective, expires } = rule.rule.definition;
  if (!isIsoDate(date)) return false;
  return (effective === undefined || date >= effective) && (expires === undefined || date < expires);
}

function ruleEdit(active: ActiveRule, context: EvaluationContext): Edit {
  const { rule, severity } = active;
  const { definition } = rule;
  const path = rule.locationParts.length === 1 ? definition.location : rule.locationParts.join(`[${context.lineIndex}]`);
  const edit: Edit = {
    code: definition.id,
    severity,
    category: definition.category,
    message: renderTemplate(rule.message, (name) => readFact(context, name)),
    path,
    help: definition.help,
    carc: definition.carc,
    rule: { id: definition.id, version: definition.version },
  };
  if (context.lineIndex >= 0) edit.serviceLine = context.lineIndex + 1;
  if (definition.sources !== undefined) {
    const sources = field(readFact(context, definition.sources), 'sources');
    if (Array.isArray(sources) && sources.length > 0) edit.sources = sources as EditSource[];
  }
  return edit;
}

function evaluate(active: ActiveRule, context: EvaluationContext, edits: Edit[]): void {
  context.params = active.params;
  let fired: unknown;
  try {
    fired = active.rule.test(context);
  } catch (error) {
    // Compiled rules are built never to throw; if one does, hold the claim rather than release it unchecked.
    edits.push(
      builtInEdit(EDIT_CODES.ruleFailed, `Rule ${active.rule.definition.id} failed on this claim: ${(error as Error).message}`, '', {
        rule: { id: active.rule.definition.id, version: active.rule.definition.version },
      }),
    );
    return;
  }
  if (fired) edits.push(ruleEdit(active, context));
}

// One context serves every claim of this thread: rules run to completion, one claim at a time.
const sharedContext = createEvaluationContext(undefined);

/** What a scrub may use besides the rules: reference tables, and what to do when they fall short. */
export interface ScrubEnvironment {
  data?: ReferenceData;
  /** Hold a claim with a data-missing edit when a check found no release for its dates. */
  requireData?: boolean;
  /** The date claims are submitted, YYYY-MM-DD, for timely filing; without it those checks do not run. */
  submissionDate?: string;
  /** What the batch's other claims say about the claim being scrubbed (set per claim by the chunk scrubber). */
  batch?: ClaimBatchFacts | undefined;
  /** The practice files given to the run (--coverage, --authorizations, --enrolment), loaded. */
  practice?: PracticeData;
}

/**
 * Runs a bundle's rules over one claim (already schema-checked or not) and returns its edits.
 * Tables a check found no release for are added to `dataGaps` when given.
 */
export function runBundle(bundle: RuleBundle, claim: unknown, environment: ScrubEnvironment = {}, dataGaps?: Set<string>): Edit[] {
  const edits: Edit[] = [];
  const context = sharedContext;
  resetEvaluationContext(context, claim);
  context.data = environment.data;
  context.program = bundle.program;
  context.submissionDate = environment.submissionDate;
  context.batch = environment.batch;
  context.practice = environment.practice;
  try {
    runRules(bundle, context, claim, edits);
    if (dataGaps) for (const kind of context.dataGaps) dataGaps.add(kind);
  } finally {
    resetEvaluationContext(context, undefined);
    context.data = undefined;
    context.batch = undefined;
    context.practice = undefined;
  }
  return edits;
}

function runRules(bundle: RuleBundle, context: EvaluationContext, claim: unknown, edits: Edit[]): void {
  for (const active of bundle.claimRules) {
    // The claim's date of service is only worked out when a dated rule needs it.
    if (!active.dated || appliesOn(active, readFact(context, 'earliestServiceDate'))) evaluate(active, context, edits);
  }
  const lines = field(claim, 'serviceLines');
  if (bundle.lineRules.length > 0 && Array.isArray(lines)) {
    for (let index = 0; index < lines.length; index++) {
      const line: unknown = lines[index];
      enterLine(context, line, index);
      for (const active of bundle.lineRules) {
        if (!active.dated || appliesOn(active, field(line, 'serviceDate'))) evaluate(active, context, edits);
      }
    }
  }
}

/**
 * Scrubs one parsed claim: schema check (every issue a structure edit), then the rules of the
 * payer policy that matches it, run on whatever could be read.
 */
// Gaps of the claim being scrubbed, emptied for each: claims are scrubbed one at a time per thread.
const claimDataGaps = new Set<string>();

export function scrubClaim(pack: CompiledPack, claim: unknown, source: ClaimSource, environment: ScrubEnvironment = {}): ScrubResult {
  const edits = validateClaim(claim);
  const payer = field(claim, 'payer');
  const bundle = pack.bundleFor(field(payer, 'id'), field(payer, 'claimFilingIndicator'));
  claimDataGaps.clear();
  if (isRecord(claim)) edits.push(...runBundle(bundle, claim, environment, claimDataGaps));
  const missing = claimDataGaps.size === 0 ? undefined : [...claimDataGaps].sort();
  if (environment.requireData && missing) {
    edits.push(builtInEdit(EDIT_CODES.dataMissing, `No installed release of ${missing.join(', ')} covers this claim's dates of service, so its checks did not run.`));
  }
  const id = field(claim, 'id');
  const result: ScrubResult = {
    claimId: typeof id === 'string' ? id : null,
    source,
    status: statusOf(edits),
    edits,
    payerPolicy: bundle.policyId,
  };
  if (missing) result.dataMissing = missing;
  return result;
}

/** The result for one item of a parsed chunk: a scrubbed claim, or a claim whose text is not JSON. */
export function scrubParsedItem(pack: CompiledPack, item: ParsedItem, environment: ScrubEnvironment = {}): ScrubResult {
  return item.ok ? scrubClaim(pack, item.value, item.source, environment) : unreadableClaimResult(item.source, item.error);
}

/** The result for a claim whose text could not be parsed at all. */
export function unreadableClaimResult(source: ClaimSource, error: { message: string; line: number; column?: number }): ScrubResult {
  const where = error.column === undefined ? `line ${error.line}` : `line ${error.line}, column ${error.column}`;
  const edits = [builtInEdit(EDIT_CODES.malformedJson, `The claim's text is not valid JSON (${where}): ${error.message}`)];
  return { claimId: null, source, status: statusOf(edits), edits, payerPolicy: null };
}

import type { DataKind, ReferenceData } from '../data/types.js';
import { isIsoDate } from '../model/dates.js';
import { EDIT_CODES, builtInEdit, statusOf, validateClaim, type ClaimSource, type Edit, type ScrubResult } from '../model/index.js';
import type { ActiveRule, CompiledPack, RuleBundle } from '../rules/bundle.js';
import { createEvaluationContext, enterLine, readFact, resetEvaluationContext, type EvaluationContext } from '../rules/compile/index.js';
import { renderTemplate } from '../rules/template.js';

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, name)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** A rule with effective / expires dates applies only when the date of service is known and inside them. */
export function appliesOn(rule: ActiveRule, date: unknown): boolean {
  const { effective, expires } = rule.rule.definition;
  if (effective === undefined && expires === undefined) return true;
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

function isDated(active: ActiveRule): boolean {
  return active.rule.definition.effective !== undefined || active.rule.definition.expires !== undefined;
}

// One context serves every claim of this thread: rules run to completion, one claim at a time.
const sharedContext = createEvaluationContext(undefined);

/** What a scrub may use besides the rules: reference tables, and what to do when they fall short. */
export interface ScrubEnvironment {
  data?: ReferenceData;
  /** Hold a claim with a data-missing edit when a check found no release for its dates. */
  requireData?: boolean;
}

/**
 * Runs a bundle's rules over one claim (already schema-checked or not) and returns its edits.
 * Tables a check found no release for are added to `dataGaps` when given.
 */
export function runBundle(bundle: RuleBundle, claim: unknown, data?: ReferenceData, dataGaps?: Set<DataKind>): Edit[] {
  const edits: Edit[] = [];
  const context = sharedContext;
  resetEvaluationContext(context, claim);
  context.data = data;
  try {
    runRules(bundle, context, claim, edits);
    if (dataGaps) for (const kind of context.dataGaps) dataGaps.add(kind);
  } finally {
    resetEvaluationContext(context, undefined);
    context.data = undefined;
  }
  return edits;
}

function runRules(bundle: RuleBundle, context: EvaluationContext, claim: unknown, edits: Edit[]): void {
  for (const active of bundle.claimRules) {
    // The claim's date of service is only worked out when a dated rule needs it.
    if (!isDated(active) || appliesOn(active, readFact(context, 'earliestServiceDate'))) evaluate(active, context, edits);
  }
  const lines = field(claim, 'serviceLines');
  if (bundle.lineRules.length > 0 && Array.isArray(lines)) {
    for (let index = 0; index < lines.length; index++) {
      const line: unknown = lines[index];
      enterLine(context, line, index);
      const lineDate = field(line, 'serviceDate');
      for (const active of bundle.lineRules) if (appliesOn(active, lineDate)) evaluate(active, context, edits);
    }
  }
}

/**
 * Scrubs one parsed claim: schema check (every issue a structure edit), then the rules of the
 * payer policy that matches it, run on whatever could be read.
 */
export function scrubClaim(pack: CompiledPack, claim: unknown, source: ClaimSource, environment: ScrubEnvironment = {}): ScrubResult {
  const edits = validateClaim(claim);
  const payer = field(claim, 'payer');
  const bundle = pack.bundleFor(field(payer, 'id'), field(payer, 'claimFilingIndicator'));
  const isObject = claim !== null && typeof claim === 'object' && !Array.isArray(claim);
  const dataGaps = new Set<DataKind>();
  if (isObject) edits.push(...runBundle(bundle, claim, environment.data, dataGaps));
  const missing = [...dataGaps].sort();
  if (environment.requireData && missing.length > 0) {
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
  if (missing.length > 0) result.dataMissing = missing;
  return result;
}

/** The result for a claim whose text could not be parsed at all. */
export function unreadableClaimResult(source: ClaimSource, error: { message: string; line: number; column?: number }): ScrubResult {
  const where = error.column === undefined ? `line ${error.line}` : `line ${error.line}, column ${error.column}`;
  const edits = [builtInEdit(EDIT_CODES.malformedJson, `The claim's text is not valid JSON (${where}): ${error.message}`)];
  return { claimId: null, source, status: statusOf(edits), edits, payerPolicy: null };
}

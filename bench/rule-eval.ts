/**
 * Rule evaluation alone, in process: the compiled conditions against json-rules-engine (through
 * engine/rules/reference.ts) on the same claims and the same active rules. Claims are parsed
 * before any timing.
 */
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { earliestServiceDate } from '../engine/checks/facts.js';
import { field } from '../engine/checks/values.js';
import { BUNDLED_RULE_PACK } from '../engine/index.js';
import { CompiledPack, type ActiveRule, type RuleBundle } from '../engine/rules/bundle.js';
import { createEvaluationContext, enterLine, readFact, resetEvaluationContext } from '../engine/rules/compile/index.js';
import { loadRulePack } from '../engine/rules/pack.js';
import { createReferenceEvaluator, type ReferenceContext } from '../engine/rules/reference.js';
import { appliesOn, runBundle } from '../engine/runtime/scrub-claim.js';
import { fmtInt, fmtNum, fmtRatio, median, say, table, warn } from './util.js';


/** json-rules-engine evaluations run untimed before the timed pass. */
const JRE_WARM_UP = 2000;

export interface RuleEvalReport {
  file: string;
  linesRead: number;
  /** Claims evaluated: the lines that parse to an object. */
  claims: number;
  evaluations: number;
  compiled: { fired: number; passes: number; medianPassSeconds: number; bestPassSeconds: number; claimsPerSecond: number };
  runBundle: { edits: number; passes: number; medianPassSeconds: number; claimsPerSecond: number };
  jsonRulesEngine: { fired: number; errors: number; warmUpEvaluations: number; seconds: number; claimsPerSecond: number; microsPerEvaluation: number };
  /** compiled claims/s over json-rules-engine claims/s. */
  speedup: number;
  /** runBundle claims/s (conditions + edit messages) over json-rules-engine claims/s. */
  speedupRunBundle: number;
  firedTotalsAgree: boolean;
  /** Evaluations whose raw results differ (Object.is, NaN equal to NaN). */
  rawMismatches: number;
  mismatchExamples: string[];
  perRule: Record<string, { evaluations: number; compiledFired: number; jreFired: number }>;
}

interface Work {
  claim: unknown;
  bundle: RuleBundle;
  lines: unknown[];
}

/** The first `count` lines of an NDJSON file, parsed; lines that are not JSON objects are left out. */
async function readClaims(file: string, count: number): Promise<{ claims: unknown[]; linesRead: number }> {
  const claims: unknown[] = [];
  let linesRead = 0;
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    if (linesRead >= count) break;
    linesRead++;
    try {
      const value: unknown = JSON.parse(line);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) claims.push(value);
    } catch {
      // a malformed line: not a claim the rules ever see
    }
  }
  lines.close();
  stream.destroy();
  return { claims, linesRead };
}


interface Evaluation {
  active: ActiveRule;
  claim: unknown;
  line: unknown;
  lineIndex: number;
}

/** Every (rule, claim, line) evaluation, in runBundle's order. */
function* evaluations(work: readonly Work[]): Generator<Evaluation> {
  for (const { claim, bundle, lines } of work) {
    if (bundle.claimRules.length > 0) {
      for (const active of bundle.claimRules) {
        if (!active.dated || appliesOn(active, earliestServiceDate({ claim }))) yield { active, claim, line: undefined, lineIndex: -1 };
      }
    }
    if (bundle.lineRules.length === 0) continue;
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index];
      for (const active of bundle.lineRules) {
        if (!active.dated || appliesOn(active, field(line, 'serviceDate'))) yield { active, claim, line, lineIndex: index };
      }
    }
  }
}

/** One pass of the compiled conditions over every claim; returns the rules fired. */
function compiledPass(work: readonly Work[], record?: unknown[]): number {
  let fired = 0;
  const context = createEvaluationContext(undefined);
  for (const { claim, bundle, lines } of work) {
    resetEvaluationContext(context, claim);
    if (bundle.claimRules.length > 0) {
      for (const active of bundle.claimRules) {
        if (active.dated && !appliesOn(active, readFact(context, 'earliestServiceDate'))) continue;
        context.params = active.params;
        const result = active.rule.test(context);
        if (record) record.push(result);
        if (result) fired++;
      }
    }
    if (bundle.lineRules.length === 0) continue;
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index];
      enterLine(context, line, index);
      for (const active of bundle.lineRules) {
        if (active.dated && !appliesOn(active, field(line, 'serviceDate'))) continue;
        context.params = active.params;
        const result = active.rule.test(context);
        if (record) record.push(result);
        if (result) fired++;
      }
    }
  }
  return fired;
}

function runBundlePass(work: readonly Work[]): number {
  let edits = 0;
  for (const { claim, bundle } of work) edits += runBundle(bundle, claim).length;
  return edits;
}

/**
 * Runs the passes in turn, round after round, until `minSeconds` have gone by (at least
 * `minRounds` rounds): interleaving keeps a change in machine load from favouring one of them.
 * Returns each pass's times in seconds.
 */
function timeInterleaved(passes: readonly (() => number)[], minSeconds: number, minRounds: number): number[][] {
  const times = passes.map((): number[] => []);
  const started = performance.now();
  for (let round = 0; round < minRounds || (performance.now() - started) / 1000 < minSeconds; round++) {
    passes.forEach((pass, index) => {
      const t0 = performance.now();
      pass();
      times[index]!.push((performance.now() - t0) / 1000);
    });
  }
  return times;
}

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export async function runRuleEval(file: string, claimCount: number, quick: boolean): Promise<RuleEvalReport> {
  const compiledPack = new CompiledPack(await loadRulePack(BUNDLED_RULE_PACK));
  const { claims, linesRead } = await readClaims(file, claimCount);
  const work: Work[] = claims.map((claim) => {
    const payer = field(claim, 'payer');
    const lines = field(claim, 'serviceLines');
    return { claim, bundle: compiledPack.bundleFor(field(payer, 'id'), field(payer, 'claimFilingIndicator')), lines: Array.isArray(lines) ? lines : [] };
  });
  const all = [...evaluations(work)];

  // (a) compiled: one recording pass for the comparison, then timed passes.
  const compiledResults: unknown[] = [];
  const compiledFired = compiledPass(work, compiledResults);
  const runBundleEdits = runBundlePass(work);
  const [compiledTimes = [], runBundleTimes = []] = timeInterleaved([() => compiledPass(work), () => runBundlePass(work)], quick ? 0.5 : 2, 5);

  // (b) json-rules-engine, every evaluation awaited in turn, after an untimed warm-up (as the
  // compiled side gets) so that its JIT warm-up does not count against it. One Engine per rule,
  // built before timing and reused, as a json-rules-engine user would run it.
  const engines = new Map<ActiveRule['rule'], (context: ReferenceContext) => Promise<unknown>>();
  const evaluateWithJsonRulesEngine = (active: ActiveRule, context: ReferenceContext) => {
    let evaluate = engines.get(active.rule);
    if (!evaluate) {
      evaluate = createReferenceEvaluator(active.rule.definition.when);
      engines.set(active.rule, evaluate);
    }
    return evaluate(context);
  };
  const warmUp = Math.min(JRE_WARM_UP, all.length);
  for (const evaluation of all.slice(0, warmUp)) {
    await evaluateWithJsonRulesEngine(evaluation.active, { ...evaluation, params: evaluation.active.params }).catch(() => undefined);
  }
  const jreResults: unknown[] = [];
  let jreFired = 0;
  let jreErrors = 0;
  const jreStart = performance.now();
  for (const evaluation of all) {
    try {
      const result = await evaluateWithJsonRulesEngine(evaluation.active, {
        claim: evaluation.claim,
        line: evaluation.line,
        lineIndex: evaluation.lineIndex,
        params: evaluation.active.params,
      });
      jreResults.push(result);
      if (result) jreFired++;
    } catch (error) {
      jreErrors++;
      jreResults.push(error);
    }
  }
  const jreSeconds = (performance.now() - jreStart) / 1000;

  // Compare evaluation by evaluation, and per rule.
  const perRule: RuleEvalReport['perRule'] = {};
  const mismatchExamples: string[] = [];
  let rawMismatches = 0;
  all.forEach((evaluation, index) => {
    const id = evaluation.active.rule.definition.id;
    const entry = (perRule[id] ??= { evaluations: 0, compiledFired: 0, jreFired: 0 });
    const compiledResult = compiledResults[index];
    const jreResult = jreResults[index];
    entry.evaluations++;
    if (compiledResult) entry.compiledFired++;
    if (jreResult && !(jreResult instanceof Error)) entry.jreFired++;
    if (!same(compiledResult, jreResult)) {
      rawMismatches++;
      if (mismatchExamples.length < 5) {
        const claimId = String(field(evaluation.claim, 'id'));
        const jreText = jreResult instanceof Error ? `threw ${jreResult.message}` : show(jreResult);
        mismatchExamples.push(`${id} on claim ${claimId}${evaluation.lineIndex >= 0 ? ` line ${evaluation.lineIndex + 1}` : ''}: compiled ${show(compiledResult)}, json-rules-engine ${jreText}`);
      }
    }
  });

  const compiledMedian = median(compiledTimes);
  const runBundleMedian = median(runBundleTimes);
  const report: RuleEvalReport = {
    file,
    linesRead,
    claims: work.length,
    evaluations: all.length,
    compiled: {
      fired: compiledFired,
      passes: compiledTimes.length,
      medianPassSeconds: compiledMedian,
      bestPassSeconds: Math.min(...compiledTimes),
      claimsPerSecond: work.length / compiledMedian,
    },
    runBundle: { edits: runBundleEdits, passes: runBundleTimes.length, medianPassSeconds: runBundleMedian, claimsPerSecond: work.length / runBundleMedian },
    jsonRulesEngine: {
      fired: jreFired,
      errors: jreErrors,
      warmUpEvaluations: warmUp,
      seconds: jreSeconds,
      claimsPerSecond: work.length / jreSeconds,
      microsPerEvaluation: (jreSeconds * 1e6) / Math.max(1, all.length),
    },
    speedup: work.length / compiledMedian / (work.length / jreSeconds),
    speedupRunBundle: work.length / runBundleMedian / (work.length / jreSeconds),
    firedTotalsAgree: compiledFired === jreFired && jreErrors === 0,
    rawMismatches,
    mismatchExamples,
    perRule,
  };

  say(`  ${fmtInt(linesRead)} lines read, ${fmtInt(work.length)} claims (malformed lines left out), ${fmtInt(all.length)} rule evaluations (line rules once per service line)`);
  say();
  say(
    table(
      ['evaluator', 'claims/s', 'µs/claim', 'fired', 'timing'],
      [
        [
          'compiled conditions (rule.test)',
          fmtInt(report.compiled.claimsPerSecond),
          fmtNum((compiledMedian * 1e6) / work.length),
          fmtInt(compiledFired),
          `median of ${compiledTimes.length} passes (best ${fmtNum(report.compiled.bestPassSeconds * 1000)} ms)`,
        ],
        [
          'runBundle (conditions + edits)',
          fmtInt(report.runBundle.claimsPerSecond),
          fmtNum((runBundleMedian * 1e6) / work.length),
          `${fmtInt(runBundleEdits)} edits`,
          `median of ${runBundleTimes.length} passes (best ${fmtNum(Math.min(...runBundleTimes) * 1000)} ms)`,
        ],
        [
          'json-rules-engine (reference.ts)',
          fmtNum(report.jsonRulesEngine.claimsPerSecond),
          fmtNum((jreSeconds * 1e6) / work.length),
          fmtInt(jreFired),
          `one pass after ${fmtInt(warmUp)} warm-up evaluations, ${fmtNum(jreSeconds)} s, ${fmtNum(report.jsonRulesEngine.microsPerEvaluation)} µs/evaluation (one Engine per rule, reused)`,
        ],
      ],
    ),
  );
  say();
  say(`  speed-up, compiled over json-rules-engine: ${fmtRatio(report.speedup)} (runBundle, with edit messages: ${fmtRatio(report.speedupRunBundle)})`);
  say(`  fired totals: compiled ${fmtInt(compiledFired)}, json-rules-engine ${fmtInt(jreFired)} -> ${report.firedTotalsAgree ? 'AGREE' : 'DISAGREE'}; raw results differing: ${rawMismatches}`);
  if (runBundleEdits !== compiledFired) say(`  note: runBundle made ${fmtInt(runBundleEdits)} edits, compiled conditions fired ${fmtInt(compiledFired)} (a rule that throws becomes a rule-failed edit)`);
  if (!report.firedTotalsAgree || rawMismatches > 0) {
    warn(
      `COMPILED RULES AND JSON-RULES-ENGINE DISAGREE: fired ${compiledFired} vs ${jreFired}, ${jreErrors} json-rules-engine errors, ${rawMismatches} raw results differ`,
    );
    for (const [id, entry] of Object.entries(perRule)) {
      if (entry.compiledFired !== entry.jreFired) say(`    ${id}: compiled fired ${entry.compiledFired}, json-rules-engine ${entry.jreFired} of ${entry.evaluations}`);
    }
    for (const example of mismatchExamples) say(`    e.g. ${example}`);
  }
  return report;
}

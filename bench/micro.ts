/**
 * Micro benchmarks (tinybench), in process: loading and compiling the bundled rule pack, scrubbing
 * one clean claim, each rule family alone on that claim, and the claim schema check alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Bench, type Task } from 'tinybench';
import { BUNDLED_RULE_PACK } from '../engine/index.js';
import { validateClaim, type Category } from '../engine/model/index.js';
import { CompiledPack, buildBundle, compileRule, type RuleBundle } from '../engine/rules/bundle.js';
import { selectPolicy } from '../engine/rules/load-payers.js';
import { loadRulePack } from '../engine/rules/pack.js';
import { runBundle, scrubClaim } from '../engine/runtime/scrub-claim.js';
import { PACKAGE_ROOT, fmtNum, say, table, warn } from './util.js';

/** The rule families benchmarked one at a time. */
export const FAMILIES: readonly Category[] = ['demographics', 'authorization', 'modifier', 'diagnosis', 'coding', 'provider'];

export const CLAIM_FIXTURE = path.join(PACKAGE_ROOT, 'fixtures', 'claims', 'office-visit.json');

export interface MicroResult {
  name: string;
  /** What the task covers, for the report. */
  note: string;
  opsPerSecond: number;
  meanMicros: number;
  p99Micros: number | null;
  rmePercent: number;
  samples: number;
}

export interface MicroReport {
  claimFixture: string;
  claimStatus: string;
  claimEdits: number;
  /** First loadRulePack + CompiledPack in this process (includes one-time schema compiles). */
  coldLoadMs: number;
  results: MicroResult[];
}

interface Settings {
  quick: boolean;
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

export async function runMicro({ quick }: Settings): Promise<MicroReport> {
  const coldStart = performance.now();
  const pack = await loadRulePack(BUNDLED_RULE_PACK);
  const compiled = new CompiledPack(pack);
  const coldLoadMs = performance.now() - coldStart;

  const claim: unknown = JSON.parse(readFileSync(CLAIM_FIXTURE, 'utf8'));
  const source = { file: path.basename(CLAIM_FIXTURE), line: 1 };
  const check = scrubClaim(compiled, claim, source);
  if (check.status !== 'clean') {
    warn(`${source.file} is not clean (${check.status}: ${check.edits.map((edit) => edit.code).join(', ')}); the "clean claim" numbers are not for a clean claim`);
  }

  // Each family alone: the family's rules compiled and bundled for the claim's own payer policy,
  // so payer overrides (and rules off by default) apply exactly as in a full scrub.
  const payer = field(claim, 'payer');
  const policy = selectPolicy(pack.policies, field(payer, 'id'), field(payer, 'claimFilingIndicator'));
  const allRules = pack.rules.map((rule) => compileRule(rule.definition));
  const fullBundle = compiled.bundleFor(field(payer, 'id'), field(payer, 'claimFilingIndicator'));
  const familyBundles = new Map<Category, RuleBundle>(
    FAMILIES.map((family) => [family, buildBundle(allRules.filter((rule) => rule.definition.category === family), policy)]),
  );

  const bench = new Bench(
    quick ? { time: 200, warmupTime: 50, iterations: 16, warmupIterations: 8 } : { time: 1000, warmupTime: 250, iterations: 64, warmupIterations: 16 },
  );
  const notes = new Map<string, string>();
  const add = (name: string, note: string, fn: () => unknown) => {
    notes.set(name, note);
    bench.add(name, fn);
  };
  let sink = 0;

  add('load + compile rule pack', `loadRulePack(bundled) + new CompiledPack: ${pack.rules.length} rules, ${pack.policies.length} payer policies`, async () => {
    const loaded = await loadRulePack(BUNDLED_RULE_PACK);
    sink += new CompiledPack(loaded).hash.length;
  });
  add('scrub clean claim, full pack', `scrubClaim: schema check + ${fullBundle.claimRules.length} claim / ${fullBundle.lineRules.length} line rules (policy ${fullBundle.policyId ?? 'base'})`, () => {
    sink += scrubClaim(compiled, claim, source).edits.length;
  });
  add('rules only, full pack', 'runBundle with the claim\'s full bundle (no schema check)', () => {
    sink += runBundle(fullBundle, claim).length;
  });
  for (const [family, bundle] of familyBundles) {
    add(`rules only, ${family}`, `runBundle: ${bundle.claimRules.length} claim / ${bundle.lineRules.length} line rules`, () => {
      sink += runBundle(bundle, claim).length;
    });
  }
  add('schema check alone', 'validateClaim (ajv, allErrors)', () => {
    sink += validateClaim(claim).length;
  });

  await bench.run();
  if (sink < 0) say(String(sink)); // keeps the work observable

  const results = bench.tasks.map((task: Task): MicroResult => {
    const result = task.result;
    if (!result || result.error) throw new Error(`micro benchmark "${task.name}" failed: ${result?.error?.message ?? 'no result'}`);
    const meanMs = result.latency.mean;
    return {
      name: task.name,
      note: notes.get(task.name) ?? '',
      opsPerSecond: 1000 / meanMs,
      meanMicros: meanMs * 1000,
      p99Micros: result.latency.p99 === undefined ? null : result.latency.p99 * 1000,
      rmePercent: result.latency.rme,
      samples: result.latency.samples.length,
    };
  });

  say(`  claim: ${source.file} (${check.status}, ${check.edits.length} edits, policy ${fullBundle.policyId ?? 'base'}); first pack load + compile in this process: ${fmtNum(coldLoadMs)} ms`);
  say();
  say(
    table(
      ['benchmark', 'ops/s', 'mean µs', 'p99 µs', '±rme %', 'samples', 'what'],
      results.map((r) => [r.name, fmtNum(r.opsPerSecond), fmtNum(r.meanMicros), fmtNum(r.p99Micros), r.rmePercent.toFixed(1), String(r.samples), r.note]),
    ),
  );
  return { claimFixture: CLAIM_FIXTURE, claimStatus: check.status, claimEdits: check.edits.length, coldLoadMs, results };
}

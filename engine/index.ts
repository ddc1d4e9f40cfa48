/**
 * claimscrub as a library. The functions here run the same code the command line runs in its
 * workers, so they give the same results the CLI prints.
 */
import { batchFactsOf } from './checks/batch/index.js';
import { claimAuthorizationUnits } from './checks/practice.js';
import { chunkInput, parseChunk, type ChunkOptions } from './ingest/index.js';
import type { ClaimSource, ScrubResult } from './model/index.js';
import { CompiledPack } from './rules/bundle.js';
import { loadRulePack, type RulePack, type RulePackLocation } from './rules/pack.js';
import { BUNDLED_PAYERS_DIR, BUNDLED_RULES_DIR, ENGINE } from './package-info.js';
import { loadReferenceDataForScrub } from './data/store.js';
import { hasPracticeFiles, loadPracticeFiles, type PracticeFiles } from './data/practice/index.js';
import { localToday } from './model/dates.js';
import { scrubClaim, scrubParsedItem, type ScrubEnvironment } from './runtime/scrub-claim.js';

export { ENGINE };

export type * from './model/index.js';
export { CATEGORIES, SEVERITIES, EDIT_CODES, statusOf, validateClaim } from './model/index.js';
export { ERROR_CODES, ScrubError, formatPosition } from './errors.js';
export { loadRulePack, type RulePack, type RulePackLocation } from './rules/pack.js';
export { runBatch, type BatchOptions, type BatchOutcome } from './runtime/batch.js';
export { loadPracticeFiles, type PracticeData, type PracticeFiles } from './data/practice/index.js';
export { formatters, finalizeSummary, type FinalSummary, type FormatName } from './report/index.js';

/** The rule and payer directories shipped with claimscrub. */
export const BUNDLED_RULE_PACK: RulePackLocation = { rulesDirs: [BUNDLED_RULES_DIR], payersDir: BUNDLED_PAYERS_DIR };

export interface Scrubber {
  readonly pack: RulePack;
  /** Scrubs one claim object (as parsed from JSON; it may be malformed). */
  scrubClaim(claim: unknown, source?: ClaimSource): ScrubResult;
  /**
   * Scrubs claim objects as one batch: each is also compared with the others (duplicate claims and
   * services, MUE day totals across claims), as the CLI does. Sources are `file` and the 1-based position.
   */
  scrubClaims(claims: readonly unknown[], file?: string): ScrubResult[];
  /**
   * Scrubs a byte stream of JSON, a JSON array or NDJSON, yielding one result per claim in input
   * order. A stream is read once, so each claim is checked alone (like the CLI's --no-batch-checks).
   */
  scrubStream(input: AsyncIterable<Uint8Array>, file?: string, chunk?: Partial<ChunkOptions>): AsyncGenerator<ScrubResult>;
}

/**
 * Loads and compiles a rule pack (the bundled one by default) and returns a scrubber.
 *
 * ```ts
 * const scrubber = await createScrubber();
 * const result = scrubber.scrubClaim(claim);
 * for await (const r of scrubber.scrubStream(fs.createReadStream('claims.ndjson'), 'claims.ndjson')) ...
 * ```
 */
export interface ScrubberOptions {
  /** A reference data directory (claimscrub data import); none by default. */
  dataDir?: string;
  /** Hold claims whose checks found no reference data release for their dates. */
  requireData?: boolean;
  /** YYYY-MM-DD, the date timely filing is measured to (default: today, local time); null: do not check timely filing. */
  submissionDate?: string | null;
  /**
   * The practice's coverage, authorizations and enrolment files (CSV; see the README's "Practice
   * files"); each optional. A malformed file throws SCRUB_ERR_PRACTICE_FILE_INVALID.
   */
  practiceFiles?: PracticeFiles;
}

export async function createScrubber(location: RulePackLocation | { pack: RulePack } = BUNDLED_RULE_PACK, options: ScrubberOptions = {}): Promise<Scrubber> {
  const pack = 'pack' in location ? location.pack : await loadRulePack(location);
  const compiled = new CompiledPack(pack);
  const environment: ScrubEnvironment = { requireData: options.requireData === true };
  const submissionDate = options.submissionDate === undefined ? localToday() : options.submissionDate;
  if (submissionDate !== null) environment.submissionDate = submissionDate;
  if (options.dataDir !== undefined) environment.data = await loadReferenceDataForScrub(options.dataDir);
  if (hasPracticeFiles(options.practiceFiles)) environment.practice = (await loadPracticeFiles(options.practiceFiles)).data;
  return {
    pack,
    scrubClaim: (claim, source = { file: '<memory>', line: 1 }) => scrubClaim(compiled, claim, source, environment),
    scrubClaims(claims, file = '<memory>') {
      const facts = batchFactsOf(claims, file, (claim) => claimAuthorizationUnits(environment.practice, claim));
      try {
        return claims.map((claim, index) => {
          environment.batch = facts.get(index);
          return scrubClaim(compiled, claim, { file, line: index + 1 }, environment);
        });
      } finally {
        environment.batch = undefined;
      }
    },
    async *scrubStream(input, file = '<stream>', chunkOptions) {
      for await (const chunk of chunkInput(input, file, chunkOptions)) {
        for (const item of parseChunk(chunk)) {
          yield scrubParsedItem(compiled, item, environment);
        }
      }
    },
  };
}

/**
 * A synthetic NCCI PTP practitioner table in the published layout, for timing the importer and
 * the table's cold load at full size (the real table has about two million rows). Seeded and
 * deterministic. Not CMS data: real-looking code shapes and ranges, random pairs.
 *
 * - about 13,000 distinct codes at two million rows (9 × √rows): CPT Category I by section,
 *   Category III (0123T) and PLA (0001U) codes, HCPCS Level II (G0463);
 * - column 1 codes have a skewed number of column 2 partners (most a few, some thousands);
 * - 25% of the single-window pairs are deleted, 0.5% deleted retroactively (deletion date =
 *   effective date, indicator 9), 1% of the rows are a second window of a pair (deleted, then
 *   added again later); dates are quarter starts from 1996 to 2026;
 * - split over 4 part files by column 1 code, sorted by column 1 then column 2, CRLF line ends,
 *   after a preamble like the real one.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface SyntheticPtpOptions {
  rows: number;
  seed: number;
  /** Part files (default 4, as published). */
  parts?: number;
  /** Distinct codes (default 9 × √rows, at most 13,000). */
  codes?: number;
}

export interface SyntheticPtpTable {
  files: string[];
  rows: number;
  pairs: number;
  codes: number;
  /** Rows with a deletion date. */
  deleted: number;
  /** Pairs with two date windows. */
  twoWindowPairs: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Code families and their share of the codes. */
const FAMILIES: [number, (random: () => number) => string][] = [
  [0.55, (r) => pad(10021 + Math.floor(r() * 59_970), 5)],
  [0.07, (r) => pad(70010 + Math.floor(r() * 9990), 5)],
  [0.06, (r) => pad(80047 + Math.floor(r() * 9352), 5)],
  [0.12, (r) => pad(90281 + Math.floor(r() * 9327), 5)],
  [0.05, (r) => `${pad(42 + Math.floor(r() * 909), 4)}T`],
  [0.02, (r) => `${pad(1 + Math.floor(r() * 450), 4)}U`],
  [0.13, (r) => `${'ACEGHJKLQV'[Math.floor(r() * 10)]}${pad(Math.floor(r() * 10_000), 4)}`],
];

const RATIONALES: [number, string][] = [
  [30, 'Misuse of column two code with column one code'],
  [18, 'CPT Manual or CMS manual coding instruction'],
  [12, 'Standards of medical / surgical practice'],
  [9, 'HCPCS/CPT procedure code definition'],
  [8, 'Mutually exclusive procedures'],
  [6, 'CPT separate procedure definition'],
  [5, 'More extensive procedure'],
  [3, 'Anesthesia service included in surgical procedure'],
  [2, 'Laboratory panel'],
  [2, 'Sequential procedure'],
  [2, 'Gender-specific procedures'],
  [1, 'Deleted/modified edits'],
  [1, 'Standard preparation/monitoring services for anesthesia'],
  [1, 'Medically unlikely combination of services'],
];

function pickWeighted<T>(random: () => number, choices: [number, T][]): T {
  const total = choices.reduce((sum, [weight]) => sum + weight, 0);
  let x = random() * total;
  for (const [weight, value] of choices) {
    x -= weight;
    if (x < 0) return value;
  }
  return (choices[choices.length - 1] as [number, T])[1];
}

/** Quarter q (0 = 1996 Q1) as YYYYMMDD. */
function quarterDate(q: number): string {
  return `${1996 + Math.floor(q / 4)}${['01', '04', '07', '10'][q % 4]}01`;
}
const LAST_QUARTER = 120; // 2026 Q1

/** A preamble like the published part files': copyright, a title line, the column header wrapped over lines. */
export function ptpPreamble(title: string): string[] {
  return [
    'CPT codes, descriptions and other data only are copyright 2025 American Medical Association. All rights reserved.',
    title,
    'Column 1\tColumn 2\t"*=in existence',
    'prior to 1996"\tEffective',
    'Date\tDeletion Date',
    '*=no data\tModifier',
    '0=not allowed',
    '1=allowed',
    '9=not applicable\tPTP Edit Rationale',
  ];
}

const PREAMBLE = ptpPreamble('Synthetic NCCI practitioner PTP edits in the published layout (claimscrub benchmark, not CMS data)');

function codePool(random: () => number, count: number): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(pickWeighted(random, FAMILIES)(random));
  return [...codes].sort();
}

/** How many column 2 partners each column 1 code gets: skewed, summing to `pairs`, each below the code count. */
function partnerCounts(random: () => number, codes: number, pairs: number): Int32Array {
  const weights = Array.from({ length: codes }, () => random() ** 4 * 80 + 0.2);
  const total = weights.reduce((sum, w) => sum + w, 0);
  const counts = new Int32Array(codes);
  let assigned = 0;
  weights.forEach((w, i) => {
    counts[i] = Math.min(codes - 1, Math.floor((w * pairs) / total));
    assigned += counts[i] as number;
  });
  for (let i = 0; assigned < pairs; i = (i + 1) % codes) {
    if ((counts[i] as number) < codes - 1) {
      counts[i] = (counts[i] as number) + 1;
      assigned++;
    }
  }
  return counts;
}

/** Writes the part files into `dir` (created if needed); returns their paths and what they hold. */
export async function writeSyntheticPtpFiles(dir: string, options: SyntheticPtpOptions): Promise<SyntheticPtpTable> {
  const random = mulberry32(options.seed);
  const parts = options.parts ?? 4;
  const codeCount = options.codes ?? Math.min(13_000, Math.max(60, Math.round(9 * Math.sqrt(options.rows))));
  const twoWindowPairs = Math.round(options.rows * 0.01);
  const pairCount = options.rows - twoWindowPairs;
  if (pairCount > codeCount * (codeCount - 1)) throw new RangeError(`${options.rows} rows need more than ${codeCount} codes`);
  const codes = codePool(random, codeCount);
  const counts = partnerCounts(random, codeCount, pairCount);

  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  let fd = -1;
  let part = -1;
  // Lines go straight into one reused buffer: joining millions of small strings is most of the
  // time and garbage otherwise.
  const buffer = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  const flush = (): void => {
    if (used > 0) writeSync(fd, buffer, 0, used);
    used = 0;
  };
  const line = (text: string): void => {
    if (used + text.length * 3 + 2 > buffer.length) flush();
    used += buffer.write(text, used, 'utf8');
    buffer[used++] = 13;
    buffer[used++] = 10;
  };

  let pairsLeft = pairCount;
  let twoWindowsLeft = twoWindowPairs;
  let pairsDone = 0;
  let deleted = 0;
  for (let i = 0; i < codeCount; i++) {
    const k = counts[i] as number;
    if (k === 0) continue;
    // A new part when this code's rows start past the part's share (a part never starts empty).
    const wantedPart = Math.min(parts - 1, Math.floor((pairsDone * parts) / pairCount));
    if (wantedPart !== part) {
      if (fd >= 0) {
        flush();
        closeSync(fd);
      }
      part = wantedPart;
      files.push(path.join(dir, `ptp-synthetic-f${files.length + 1}.txt`));
      fd = openSync(files[files.length - 1] as string, 'w');
      for (const text of PREAMBLE) line(text);
    }
    // k distinct partners other than i: a stride coprime with the code count visits every code once.
    let stride = 1 + Math.floor(random() * (codeCount - 1));
    while (gcd(stride, codeCount) !== 1) stride = (stride % (codeCount - 1)) + 1;
    const start = Math.floor(random() * codeCount);
    const partners = new Int32Array(k);
    for (let m = 0, found = 0; found < k; m++) {
      const j = (start + m * stride) % codeCount;
      if (j !== i) partners[found++] = j;
    }
    partners.sort();
    const column1 = codes[i] as string;
    for (const j of partners) {
      const prefix = `${column1}\t${codes[j]}\t`;
      const rationale = pickWeighted(random, RATIONALES);
      const indicator = random() < 0.3 ? '0' : '1';
      // Selection sampling: exactly twoWindowPairs of the pairs get two windows.
      if (random() * pairsLeft < twoWindowsLeft) {
        twoWindowsLeft--;
        const firstStart = Math.floor(random() * 100);
        const firstEnd = firstStart + 1 + Math.floor(random() * 8);
        const secondStart = firstEnd + Math.floor(random() * 8);
        line(`${prefix}\t${quarterDate(firstStart)}\t${quarterDate(firstEnd)}\t${indicator}\t${rationale}`);
        line(`${prefix}\t${quarterDate(Math.min(secondStart, LAST_QUARTER))}\t*\t${indicator}\t${rationale}`);
        deleted++;
      } else {
        const x = random();
        const effective = random() < 0.15 ? 0 : Math.floor(random() * LAST_QUARTER);
        const mark = effective === 0 && random() < 0.6 ? '*' : '';
        if (x < 0.005) {
          line(`${prefix}${mark}\t${quarterDate(effective)}\t${quarterDate(effective)}\t9\t${rationale}`);
          deleted++;
        } else if (x < 0.255) {
          const end = effective + 1 + Math.floor(random() * (LAST_QUARTER - effective));
          line(`${prefix}${mark}\t${quarterDate(effective)}\t${quarterDate(end)}\t${indicator}\t${rationale}`);
          deleted++;
        } else {
          line(`${prefix}${mark}\t${quarterDate(effective)}\t*\t${indicator}\t${rationale}`);
        }
      }
      pairsLeft--;
    }
    pairsDone += k;
  }
  if (fd >= 0) {
    flush();
    closeSync(fd);
  }
  return { files, rows: options.rows, pairs: pairCount, codes: codeCount, deleted, twoWindowPairs };
}

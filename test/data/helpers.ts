import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';

export const FIXTURES = path.join(ROOT, 'fixtures/data/icd10cm');
export const ORDER_2025 = path.join(FIXTURES, 'order-2025-excerpt.txt');
export const ORDER_2026 = path.join(FIXTURES, 'order-2026-excerpt.txt');
/** The effective dates the tests give the excerpts (the FY2025 and FY2026 releases). */
export const EFFECTIVE_2025 = '2024-10-01';
export const EFFECTIVE_2026 = '2025-10-01';

export interface RowFields {
  order: number;
  code: string;
  billable: boolean;
  shortDescription: string;
  longDescription: string;
}

/** One row in the order-file layout (no line end). */
export function orderLine(row: RowFields): string {
  return `${String(row.order).padStart(5, '0')} ${row.code.padEnd(7)} ${row.billable ? '1' : '0'} ${row.shortDescription.padEnd(60)} ${row.longDescription}`;
}

/** A row with its descriptions made from its code. */
export function row(order: number, code: string, billable: boolean): string {
  return orderLine({ order, code, billable, shortDescription: `Short ${code}`, longDescription: `Long description of ${code}` });
}

/** Lines joined with CRLF (the published files' line ends), ending with one. */
export function crlf(lines: string[]): string {
  return lines.map((line) => `${line}\r\n`).join('');
}

/** Replaces the characters from 1-based `column` on with `text`. */
export function put(line: string, column: number, text: string): string {
  return line.slice(0, column - 1) + text + line.slice(column - 1 + text.length);
}

/** A temporary folder removed by the returned cleanup. */
export function temporaryDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `claimscrub-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `whole` cut at the given positions (any order), as a streaming reader would get it in chunks. */
export function pieces<T extends string | Uint8Array>(whole: T, cuts: readonly number[]): T[] {
  const result: T[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    result.push(whole.slice(start, cut) as T);
    start = cut;
  }
  result.push(whole.slice(start) as T);
  return result;
}

/** What a release manifest records of a source file: its name, size and sha256. */
export function sourceFileOf(file: string): { name: string; bytes: number; sha256: string } {
  const bytes = readFileSync(file);
  return { name: path.basename(file), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

import { ScrubError, type ScrubProblem } from '../../errors.js';
import { dataError, rowProblemToScrub, scrubProblem, unreadableSource } from '../problems.js';
import type { ReleaseSourceContent } from '../types.js';
import { parseMueFile, type MueRow, type MueTableType, type ParsedMueFile } from './parse-mue-file.js';
import { buildMueTables } from './table.js';

/** Tables of other settings, refused: claimscrub scrubs professional claims, which the practitioner table is for. */
const OTHER_SETTINGS: Partial<Record<MueTableType, string>> = {
  'outpatient-hospital': 'the outpatient hospital services MUE table',
  'dme-supplier': 'the DME supplier services MUE table',
};

async function readOne(file: string): Promise<ParsedMueFile> {
  try {
    return await parseMueFile(file);
  } catch (error) {
    throw unreadableSource(file, 'MUE table', error);
  }
}

/**
 * Reads a release's MUE table (normally one practitioner services CSV file; several files are read
 * as one table, and a code in two of them is a problem) into what the data store installs: source
 * files, counts and the compact tables. An unreadable file is SCRUB_ERR_INPUT_UNREADABLE; a file
 * with any malformed row, or another setting's table, is refused with SCRUB_ERR_DATA_INVALID
 * carrying every problem. Rows carry no dates: the caller names the release and its effective date.
 */
export async function readMueRelease(files: readonly string[]): Promise<ReleaseSourceContent & { lines: number }> {
  if (files.length === 0) throw new ScrubError('SCRUB_ERR_USAGE', 'no MUE table given: name the practitioner services MUE table (.csv)');
  const parsed: ParsedMueFile[] = [];
  for (const file of files) parsed.push(await readOne(file));

  const problems: ScrubProblem[] = [];
  const rows: MueRow[] = [];
  /** Where each code was first read: file and line. */
  const firstSeen = new Map<string, { file: string; line: number }>();
  const hashes = new Map<string, string>();
  parsed.forEach((content, index) => {
    const file = files[index] as string;
    const sameAs = hashes.get(content.source.sha256);
    if (sameAs !== undefined) {
      problems.push(scrubProblem(file, `the same table as ${sameAs} (same sha256): give each file once`));
      return;
    }
    hashes.set(content.source.sha256, file);
    problems.push(...content.problems.map(rowProblemToScrub));
    const header = content.header;
    const setting = header === undefined ? undefined : OTHER_SETTINGS[header.tableType];
    if (header !== undefined && setting !== undefined) {
      problems.push(
        scrubProblem(
          file,
          `this is ${setting} (column ${JSON.stringify(header.valueColumn)}): claimscrub imports the practitioner services table, whose value column is "Practitioner Services MUE Values"`,
          header.valueColumnAt.line,
          header.valueColumnAt.column,
        ),
      );
    }
    for (const row of content.rows) {
      const first = firstSeen.get(row.code);
      if (first === undefined) {
        firstSeen.set(row.code, { file, line: row.line });
        rows.push(row);
      } else {
        problems.push(scrubProblem(file, `code ${row.code} is in ${first.file} already (line ${first.line}): a release has one row per code`, row.codeAt.line, row.codeAt.column));
      }
    }
  });

  if (problems.length > 0) {
    const count = problems.length;
    throw dataError('SCRUB_ERR_DATA_INVALID', `${files.join(', ')}: ${count} ${count === 1 ? 'problem' : 'problems'} in the MUE table; nothing was imported`, problems);
  }
  const { tables, counts } = buildMueTables(rows);
  return { sourceFiles: parsed.map((content) => content.source), counts, tables, lines: parsed.reduce((sum, content) => sum + content.lines, 0) };
}

import type { Edit, ScrubResult, Severity } from '../../model/result.js';
import type { BreakdownEntry, FinalSummary } from '../summary.js';
import type { FormatOptions, Formatter, ReportContext, ResultFormatOptions } from './types.js';
import { formatCount, formatMoney, formatRate, formatShare, padEnd, padStart, paint, plural, safe, wrap, type Style } from './text.js';

/** Help text wraps at this column; edit lines are not wrapped (they are one fact each). */
const WRAP_AT = 100;
/** Edit lines align paths up to this width; a longer path pushes its own line's message right. */
const MAX_PATH_COLUMN = 40;
/** Breakdown tables align codes and keys up to this width. */
const MAX_KEY_COLUMN = 48;
const TOP_CODES = 10;
const TOP_KEYS = 5;

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', info: 'cyan' };

/**
 * The terminal report a billing manager reads. One block per held claim, and per warning-only
 * claim unless `quiet`: the claim id, where it came from and its status, then one line per edit
 * (errors first): severity, `line N` for a service line, the field path, the message and the
 * edit code, with the help text indented beneath; a blank line ends the block. Clean claims
 * print nothing. The footer is the batch summary. Without `color` the text has no escape codes.
 * Every value taken from data is passed through {@link safe}, so no claim can write control
 * characters to the terminal.
 */
export const stylishFormatter: Formatter = {
  header(): string {
    return '';
  },

  result(result: ScrubResult, options: ResultFormatOptions): string {
    const quiet = options.quiet === true;
    const color = options.color === true;
    if (result.status === 'clean' || (quiet && result.status !== 'held')) return '';

    const all = [...result.edits].sort((a, b) => rank(a) - rank(b));
    const shown = quiet ? all.filter((edit) => edit.severity === 'error') : all;
    const hidden = all.length - shown.length;

    const locations = shown.map((edit) => (typeof edit.serviceLine === 'number' ? `line ${edit.serviceLine}` : ''));
    const paths = shown.map((edit) => safe(edit.path));
    const locationWidth = Math.max(0, ...locations.map((text) => text.length));
    const pathWidth = Math.min(MAX_PATH_COLUMN, Math.max(0, ...paths.map((text) => text.length)));
    const helpIndent = ' '.repeat(2 + 7 + 2);

    const out: string[] = [claimHeading(result, color)];
    shown.forEach((edit, i) => {
      const severity = isSeverity(edit.severity) ? edit.severity : 'error';
      const columns = [cell(safe(edit.severity), 7, color, SEVERITY_STYLE[severity])];
      if (locationWidth > 0) columns.push(cell(locations[i] ?? '', locationWidth, color, 'dim'));
      if (pathWidth > 0) columns.push(padEnd(paths[i] ?? '', pathWidth));
      columns.push(safe(edit.message), paint(safe(edit.code), color, 'dim'));
      out.push(`  ${columns.join('  ')}`.trimEnd());
      if (typeof edit.help === 'string' && edit.help.trim() !== '') {
        for (const line of wrap(`help: ${safe(edit.help)}`, WRAP_AT - helpIndent.length)) {
          out.push(helpIndent + paint(line, color, 'dim'));
        }
      }
    });
    if (hidden > 0) out.push(paint(`  (${plural(hidden, 'warning or info edit')} not shown: quiet)`, color, 'dim'));
    return `${out.join('\n')}\n\n`;
  },

  footer(summary: FinalSummary, context: ReportContext, options: FormatOptions = {}): string {
    const color = options.color === true;
    const out: string[] = [paint('Summary', color, 'bold')];

    if (summary.claims === 0) {
      out.push('  No claims were scrubbed.');
    } else {
      const countWidth = formatCount(summary.claims).length;
      const row = (label: string, value: string, note = '') => `  ${padEnd(label, 18)}${value}${note ? `  ${note}` : ''}`;
      out.push(row('Claims', formatCount(summary.claims)));
      const statuses: [string, number, Style][] = [
        ['Clean', summary.clean, 'green'],
        ['Warning', summary.warning, 'yellow'],
        ['Held', summary.held, 'red'],
      ];
      for (const [label, count, style] of statuses) {
        const value =
          padStart('', countWidth - formatCount(count).length) + paint(formatCount(count), color, ...(count > 0 ? [style] : []));
        out.push(row(label, `${value}  ${padStart(formatShare(count, summary.claims), 6)}`));
      }
      const rate = summary.cleanClaimRate === null ? '-' : formatRate(summary.cleanClaimRate);
      out.push(row('Clean claim rate', paint(rate, color, 'bold'), paint('(claims without an error edit)', color, 'dim')));
      out.push(
        row(
          'Held charges',
          formatMoney(summary.heldCharges.total),
          paint(`(total charge of ${plural(summary.held, 'held claim')})`, color, 'dim'),
        ),
      );
      out.push(row('Edits', formatCount(summary.edits)));
    }

    if (summary.edits > 0) {
      const heldByCode = new Map(summary.heldCharges.byCode.map((entry) => [entry.key, entry.amount]));
      const top = summary.editsByCode.slice(0, TOP_CODES);
      const countWidth = Math.max(5, ...top.map((entry) => formatCount(entry.count).length));
      const codeWidth = Math.min(MAX_KEY_COLUMN, Math.max(4, ...top.map((entry) => safe(entry.key).length)));
      const categoryWidth = Math.max(8, ...top.map((entry) => safe(entry.category).length));
      out.push('', paint(top.length < summary.editsByCode.length ? `Top ${TOP_CODES} edit codes` : 'Edit codes', color, 'bold'));
      out.push(
        paint(
          `  ${padStart('edits', countWidth)}  ${padEnd('code', codeWidth)}  ${padEnd('category', categoryWidth)}  held charges`,
          color,
          'dim',
        ),
      );
      for (const entry of top) {
        const held = heldByCode.get(entry.key);
        const line = `  ${padStart(formatCount(entry.count), countWidth)}  ${padEnd(safe(entry.key), codeWidth)}  ${padEnd(safe(entry.category), categoryWidth)}  ${held === undefined ? '' : formatMoney(held)}`;
        out.push(line.trimEnd());
      }
      out.push(...table('Edits by category', summary.editsByCategory, Infinity, color));
      out.push(...table('Top payers by edits', summary.editsByPayer, TOP_KEYS, color));
      out.push(...table('Top procedure codes by line edits', summary.editsByProcedureCode, TOP_KEYS, color));
    }

    if (summary.dataMissing.length > 0) {
      out.push('', paint('Checks skipped for lack of reference data', color, 'bold', 'yellow'));
      for (const entry of summary.dataMissing) {
        out.push(
          `  ${safe(entry.key)}: ${plural(entry.count, 'claim')} not checked, no installed release covers their dates of service (claimscrub data status)`,
        );
      }
    }
    if ((context.data ?? []).length > 0) {
      out.push('', paint('Reference data', color, 'bold'));
      for (const release of context.data ?? []) {
        const span = release.until === undefined ? `from ${release.effective}` : `${release.effective} to before ${release.until}`;
        const table = release.program === undefined ? release.table : `${release.table} (${release.program})`;
        out.push(`  ${safe(table)} ${safe(release.release)}  (dates of service ${span})`);
      }
    }

    if (context.inputErrors.length > 0) {
      out.push('', paint(`Input errors (${formatCount(context.inputErrors.length)})`, color, 'bold', 'red'));
      for (const error of context.inputErrors)
        out.push(`  ${safe(error.file)}  ${paint(safe(error.code), color, 'dim')}  ${safe(error.message)}`);
    }

    if (context.batchChecks === false) {
      out.push('', paint('Each claim was checked alone: no duplicate claims or services across claims, MUE day totals per claim.', color, 'dim'));
    }
    const submitted = context.submissionDate === undefined ? '' : `, timely filing measured to ${safe(context.submissionDate)}`;
    out.push(
      '',
      paint(`${safe(context.engine.name)} ${safe(context.engine.version)}, rule bundle ${safe(context.bundle.hash)}${submitted}`, color, 'dim'),
    );
    return `${out.join('\n')}\n`;
  },
};

/** `text` painted, then padded to `width` columns outside the escape codes. */
function cell(text: string, width: number, color: boolean, ...styles: Style[]): string {
  return paint(text, color, ...styles) + ' '.repeat(Math.max(0, width - text.length));
}

function claimHeading(result: ScrubResult, color: boolean): string {
  const id = result.claimId === null ? '(unreadable claim)' : result.claimId === '' ? '(no claim id)' : safe(result.claimId);
  const where = `${safe(result.source.file)}:${result.source.line}`;
  const status =
    result.status === 'held' ? paint('HELD', color, 'bold', 'red') : paint(safe(result.status).toUpperCase(), color, 'bold', 'yellow');
  return `${paint(id, color, 'bold')}  ${paint(where, color, 'dim')}  ${status}`;
}

/** A titled two-column table (count, key) of the first `limit` rows; nothing when there are none. */
function table(title: string, rows: readonly BreakdownEntry[], limit: number, color: boolean): string[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, limit);
  const countWidth = Math.max(5, ...shown.map((entry) => formatCount(entry.count).length));
  const heading = shown.length < rows.length ? `${title} (top ${shown.length} of ${formatCount(rows.length)})` : title;
  return [
    '',
    paint(heading, color, 'bold'),
    ...shown.map((entry) => `  ${padStart(formatCount(entry.count), countWidth)}  ${safe(entry.key)}`),
  ];
}

function isSeverity(value: unknown): value is Severity {
  return value === 'error' || value === 'warning' || value === 'info';
}

function rank(edit: Edit): number {
  return isSeverity(edit.severity) ? SEVERITY_RANK[edit.severity] : 0;
}

/**
 * The columns and row schemas of the three practice files. A row is checked as an object of its
 * non-empty cells by column name (whole numbers read as numbers), so `required` means "the cell
 * must not be empty". What a schema cannot say (an end before its start, an NPI check digit, a
 * range written high to low, an authorization listed twice) is checked where the lookups are
 * built (lookups.ts).
 */
import { createAjv } from '../../model/ajv.js';
import type { PracticeFileKind } from './types.js';
import type { ColumnDefinition, TableDefinition } from './table.js';

const ID = { type: 'string', pattern: '^[!-~]+$', maxLength: 80 };
const ID_EXPECTED = 'an id of letters, digits or punctuation, without spaces';
const DATE = { type: 'string', format: 'date' };

/** Five-character CPT or HCPCS codes, or ranges of them, separated by spaces, commas or semicolons. */
const CODE = '[A-Za-z0-9]{5}(?:-[A-Za-z0-9]{5})?';
export const CODE_LIST_PATTERN = `^${CODE}(?:[ ,;]+${CODE})*[ ,;]*$`;

const ajv = createAjv();

function rowSchema(columns: readonly ColumnDefinition[], properties: Record<string, unknown>, required: readonly string[]): Record<string, unknown> {
  const names = columns.map((column) => column.name).sort();
  const described = Object.keys(properties).sort();
  if (names.join() !== described.join()) throw new Error(`practice file schema and columns differ: ${names.join()} / ${described.join()}`);
  return { type: 'object', additionalProperties: false, required, properties };
}

const COVERAGE_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'payerId', required: true, expected: ID_EXPECTED },
  { name: 'memberId', required: true, expected: ID_EXPECTED },
  { name: 'start', required: true },
  { name: 'end', required: false },
];

const AUTHORIZATION_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'number', required: true, expected: ID_EXPECTED },
  { name: 'payerId', required: true, expected: ID_EXPECTED },
  { name: 'memberId', required: true, expected: ID_EXPECTED },
  {
    name: 'procedureCodes',
    required: true,
    expected: 'CPT or HCPCS codes of five letters or digits, or ranges of them (97110-97140), separated by spaces, commas or semicolons',
  },
  { name: 'start', required: true },
  { name: 'end', required: false },
  { name: 'units', required: true, integer: true },
  { name: 'unitsUsed', required: false, integer: true },
];

const ENROLMENT_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'payerId', required: true, expected: ID_EXPECTED },
  { name: 'npi', required: true, expected: 'an NPI of ten digits' },
  { name: 'start', required: true },
  { name: 'end', required: false },
];

const UNITS = { type: 'integer', minimum: 0, maximum: 999999 };

export const PRACTICE_TABLES: { readonly [K in PracticeFileKind]: TableDefinition } = {
  coverage: {
    kind: 'coverage',
    columns: COVERAGE_COLUMNS,
    validate: ajv.compile(rowSchema(COVERAGE_COLUMNS, { payerId: ID, memberId: ID, start: DATE, end: DATE }, ['payerId', 'memberId', 'start'])),
  },
  authorizations: {
    kind: 'authorizations',
    columns: AUTHORIZATION_COLUMNS,
    validate: ajv.compile(
      rowSchema(
        AUTHORIZATION_COLUMNS,
        {
          number: { ...ID, maxLength: 50 },
          payerId: ID,
          memberId: ID,
          procedureCodes: { type: 'string', pattern: CODE_LIST_PATTERN, maxLength: 2000 },
          start: DATE,
          end: DATE,
          units: UNITS,
          unitsUsed: UNITS,
        },
        ['number', 'payerId', 'memberId', 'procedureCodes', 'start', 'units'],
      ),
    ),
  },
  enrolment: {
    kind: 'enrolment',
    columns: ENROLMENT_COLUMNS,
    validate: ajv.compile(rowSchema(ENROLMENT_COLUMNS, { payerId: ID, npi: { type: 'string', pattern: '^[0-9]{10}$' }, start: DATE, end: DATE }, ['payerId', 'npi', 'start'])),
  },
};

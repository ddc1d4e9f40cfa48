import { parsePath, resolvePath } from './compile/path.js';

/**
 * Message templates: `{{fact}}` or `{{fact.path.to[0].field}}`, the fact and path written as in
 * conditions (without the `$`). Parsed once at load; rendering never throws.
 */
export type TemplatePart = string | { fact: string; segments: (string | number)[] };

export type TemplateParseResult = { ok: true; parts: TemplatePart[] } | { ok: false; message: string };

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

export function parseTemplate(template: string, isKnownFact: (fact: string) => string | undefined): TemplateParseResult {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const expression = match[1] ?? '';
    const fact = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expression)?.[0];
    if (!fact) return { ok: false, message: `placeholder {{${expression}}} must start with a fact name, like {{line.procedureCode}}` };
    const factProblem = isKnownFact(fact);
    if (factProblem) return { ok: false, message: `placeholder {{${expression}}}: ${factProblem}` };
    const rest = expression.slice(fact.length);
    let segments: (string | number)[] = [];
    if (rest !== '') {
      const parsed = parsePath(`$${rest}`);
      if (!parsed.ok) return { ok: false, message: `placeholder {{${expression}}}: ${parsed.message}` };
      segments = parsed.segments;
    }
    if (match.index > last) {
      const text = template.slice(last, match.index);
      const problem = literalProblem(text);
      if (problem) return { ok: false, message: problem };
      parts.push(text);
    }
    parts.push({ fact, segments });
    last = match.index + match[0].length;
  }
  if (last < template.length) {
    const text = template.slice(last);
    const problem = literalProblem(text);
    if (problem) return { ok: false, message: problem };
    parts.push(text);
  }
  return { ok: true, parts };
}

/** Text between placeholders must not hold a broken one: it would be printed as it is. */
function literalProblem(text: string): string | undefined {
  const open = text.indexOf('{{');
  if (open >= 0) return `"${text.slice(open, open + 40)}" opens a placeholder with {{ but does not close it with }}`;
  const close = text.indexOf('}}');
  if (close >= 0) return `"${text.slice(Math.max(0, close - 38), close + 2)}" closes a placeholder with }} that was never opened with {{`;
  return undefined;
}

export const MISSING_VALUE = '(none)';

export function renderTemplate(parts: readonly TemplatePart[], factValue: (fact: string) => unknown): string {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    const value = part.segments.length === 0 ? factValue(part.fact) : resolvePath(factValue(part.fact), part.segments);
    text += displayValue(value);
  }
  return text;
}

function displayValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return MISSING_VALUE;
  if (Array.isArray(value)) return value.length === 0 ? MISSING_VALUE : value.map(displayValue).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

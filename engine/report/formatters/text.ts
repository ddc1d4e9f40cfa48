/** Plain-text helpers for terminal formats: pure, locale-independent, no dependency. */

const ANSI = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  cyan: '36',
} as const;

export type Style = keyof typeof ANSI;

/** `text` wrapped in ANSI SGR codes when `color` is true; `text` itself otherwise. */
export function paint(text: string, color: boolean | undefined, ...styles: Style[]): string {
  if (!color || styles.length === 0 || text === '') return text;
  return `\u001b[${styles.map((style) => ANSI[style]).join(';')}m${text}\u001b[0m`;
}

// C0 and C1 controls, DEL, and the bidirectional overrides and isolates (a claim value must not
// be able to move the cursor, recolor the terminal or reorder what the reader sees).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value from data (claim ids, file names, rule messages), made safe for one terminal line:
 * tabs become spaces, every other control or direction character becomes a visible `\u{...}`.
 */
export function safe(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return text.replace(UNSAFE, (char) => (char === '\t' ? ' ' : `\\u{${char.codePointAt(0)!.toString(16)}}`));
}

export function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** 1234567 -> "1,234,567", without the locale. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const sign = value < 0 ? '-' : '';
  const digits = String(Math.trunc(Math.abs(value)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Dollars as `$1,234.50` (`-$12.00` for negatives), rounded to whole cents. */
export function formatMoney(dollars: number): string {
  if (!Number.isFinite(dollars)) return `$${String(dollars)}`;
  const cents = Math.round(Math.abs(dollars) * 100);
  const sign = dollars < 0 && cents !== 0 ? '-' : '';
  const whole = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `${sign}$${formatCount(whole)}.${rest}`;
}

/**
 * A ratio (0..1) as a percentage with one decimal. Never shows 100.0% for less than all nor
 * 0.0% for more than none: 99.96% reads `>99.9%` (a clean claim rate target is often 98%).
 */
export function formatRate(ratio: number): string {
  const text = (ratio * 100).toFixed(1);
  if (text === '100.0' && ratio < 1) return '>99.9%';
  if (text === '0.0' && ratio > 0) return '<0.1%';
  return `${text}%`;
}

/** `part` of `whole` as {@link formatRate} writes it; `-` when `whole` is 0. */
export function formatShare(part: number, whole: number): string {
  return whole === 0 ? '-' : formatRate(part / whole);
}

/** Greedy word wrap to `width` columns; a word longer than `width` gets a line of its own. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (word === '') continue;
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

/**
 * The byte/char classes shared by the main-thread chunker (which scans bytes) and the worker-side
 * parser (which scans the decoded text). Both must split the input into exactly the same claims,
 * so they both read their rules from here.
 *
 * How a `json` input is split into claims (an "element" is one claim):
 * - Between elements, whitespace and commas are separators. Commas are not required (a missing
 *   comma between two array elements is tolerated) and empty slots (`[a,,b]`, a trailing comma)
 *   are not claims.
 * - An element that starts with `{` or `[` ends at the bracket that brings the nesting depth
 *   back to 0, skipping strings (with their `\"` and `\\` escapes). Only the depth is tracked,
 *   not which bracket opened it.
 * - An element that starts with `"` ends at the closing quote.
 * - Anything else (a number, `true`, or garbage such as `oops` or a stray `}`) is a bare token:
 *   its first character, then everything up to the next whitespace, comma, bracket, brace or
 *   quote.
 * - In an array input, a `]` between elements closes the claims array; a `[` found after it
 *   opens another claims array. Other text after the array is split like documents.
 *
 * UTF-8 multi-byte sequences never contain ASCII bytes and the decoder never swallows an ASCII
 * byte (an invalid sequence becomes U+FFFD and the next ASCII byte is kept), so scanning bytes
 * and scanning the decoded text give the same boundaries: every non-ASCII byte or char is
 * class OTHER.
 */

/** Part of a bare token (and any non-ASCII byte or char). */
export const C_OTHER = 0;
/** Space, tab, CR, LF: the only whitespace JSON knows. */
export const C_WS = 1;
export const C_COMMA = 2;
/** `{` or `[`. */
export const C_OPEN = 3;
/** `}` or `]`. */
export const C_CLOSE = 4;
export const C_QUOTE = 5;

export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

/** Class of each byte value; non-ASCII bytes are C_OTHER. */
export const CHAR_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const c of [0x20, 0x09, 0x0d, 0x0a]) table[c] = C_WS;
  table[0x2c] = C_COMMA;
  table[0x7b] = C_OPEN;
  table[0x5b] = C_OPEN;
  table[0x7d] = C_CLOSE;
  table[0x5d] = C_CLOSE;
  table[0x22] = C_QUOTE;
  return table;
})();

/** True for the whitespace an NDJSON line may consist of and still be blank (LF ends the line). */
export function isLineSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d;
}

export const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

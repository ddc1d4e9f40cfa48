/**
 * The floor: the least work any NDJSON scrubber must do, on one core, no rules.
 *
 *   node dist/bench/floor.js INPUT OUTPUT
 *
 * Reads INPUT in 1 MiB pieces, splits them into lines, JSON.parses each line and writes
 * `{"id":…,"status":"clean","edits":[]}` per claim to OUTPUT (a line that is not JSON gets
 * `{"id":null,"status":"unreadable","edits":[]}`, so the output has one line per claim, as the
 * scrubber's does). Prints `{"claims":N,"unreadable":M}` on stdout.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const PIECE = 1 << 20;

function main(argv: string[]): number {
  const [input, output] = argv;
  if (input === undefined || output === undefined) {
    process.stderr.write('usage: node dist/bench/floor.js INPUT OUTPUT\n');
    return 2;
  }
  const inFd = openSync(input, 'r');
  const outFd = openSync(output, 'w');
  let claims = 0;
  let unreadable = 0;
  // Bytes of a line cut by the end of the previous piece.
  let carry: Buffer = Buffer.alloc(0);

  const handleLine = (text: string): string => {
    claims++;
    let claim: unknown;
    try {
      claim = JSON.parse(text);
    } catch {
      unreadable++;
      return `${JSON.stringify({ id: null, status: 'unreadable', edits: [] })}\n`;
    }
    const id = claim !== null && typeof claim === 'object' ? (claim as { id?: unknown }).id : undefined;
    return `${JSON.stringify({ id, status: 'clean', edits: [] })}\n`;
  };

  const piece = Buffer.allocUnsafe(PIECE);
  for (;;) {
    const read = readSync(inFd, piece, 0, PIECE, null);
    if (read === 0) break;
    const bytes = carry.length > 0 ? Buffer.concat([carry, piece.subarray(0, read)]) : piece.subarray(0, read);
    let out = '';
    let start = 0;
    for (let end = bytes.indexOf(10, start); end !== -1; end = bytes.indexOf(10, start)) {
      const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
      if (stop > start) out += handleLine(bytes.toString('utf8', start, stop));
      start = end + 1;
    }
    // Copy the rest: `piece` is reused by the next read.
    carry = Buffer.from(bytes.subarray(start));
    if (out !== '') writeSync(outFd, out);
  }
  if (carry.length > 0) {
    const text = carry.toString('utf8').replace(/\r$/, '');
    if (text.trim() !== '') writeSync(outFd, handleLine(text));
  }
  closeSync(outFd);
  closeSync(inFd);
  process.stdout.write(`${JSON.stringify({ claims, unreadable })}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

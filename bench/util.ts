/**
 * Shared helpers for the benchmark: number formatting, a text table, child processes measured
 * for wall time, CPU time and peak RSS, the generated claim files, and output file checks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, readSync, readdirSync, readFileSync, renameSync, rmSync, statSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../engine/package-info.js';

export { PACKAGE_ROOT };

export const DIST = path.join(PACKAGE_ROOT, 'dist');
export const CLI = path.join(DIST, 'engine', 'cli', 'main.js');
export const GENERATOR_CLI = path.join(DIST, 'fixtures', 'generator', 'cli.js');
export const FLOOR = path.join(DIST, 'bench', 'floor.js');
export const RSS_PROBE = path.join(DIST, 'bench', 'rss-probe.js');
export const WORK_DIR = path.join(tmpdir(), 'claimscrub-bench');
export const OUT_DIR = path.join(PACKAGE_ROOT, 'bench', 'out');

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmtInt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** 3 significant digits for small numbers, thousands separators for large ones. */
export function fmtNum(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return fmtInt(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

export function fmtRatio(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : `${fmtNum(value)}x`;
}

/** Bytes to MB (10^6 bytes), the unit the targets use. */
export function mb(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? 'n/a' : `${(bytes / 1e6).toFixed(0)} MB`;
}

/** A number, optionally with a unit or a one-word note: `1,234`, `0.25x`, `93 MB`, `200,001 ok`. */
const NUMERIC_CELL = /^([-+]?[0-9][0-9,.]*(x| ?[A-Za-zµ%]+)?(-[0-9][0-9,.]*)?|n\/a|-)$/;

/** A plain text table; columns of numbers are right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => NUMERIC_CELL.test(row[column] ?? '')));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].map((text) => `  ${text}`).join('\n');
}

export function heading(title: string): void {
  process.stdout.write(`\n== ${title} ${'='.repeat(Math.max(0, 90 - title.length))}\n`);
}

export function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function warn(text: string): void {
  process.stdout.write(`\n  !!!!!!!! WARNING: ${text}\n\n`);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

// ---------------------------------------------------------------------------------------------
// Child processes, measured

export interface ProcessMeasurement {
  command: string;
  exitCode: number | null;
  signal: string | null;
  /** Measured by the parent from spawn to exit: node start, rule pack load, the work, exit. */
  wallSeconds: number;
  /** Peak resident set size of the child process (all its threads), bytes; null when unknown. */
  peakRssBytes: number | null;
  userSeconds: number | null;
  systemSeconds: number | null;
  rssMethod: RssMethod;
  stdout: string;
  stderr: string;
}

export type RssMethod = 'gnu-time' | 'rusage-probe';

let gnuTime: boolean | undefined;

/** Whether /usr/bin/time is GNU time (it has -v and -o). CLAIMSCRUB_BENCH_NO_TIME=1 pretends it is not. */
export function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    if (process.env.CLAIMSCRUB_BENCH_NO_TIME === '1' || !existsSync('/usr/bin/time')) gnuTime = false;
    else {
      const probe = spawnSync('/usr/bin/time', ['-v', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
      gnuTime = probe.status === 0;
    }
  }
  return gnuTime;
}

function parseGnuTime(text: string): { peakRssBytes: number | null; userSeconds: number | null; systemSeconds: number | null } {
  const number = (pattern: RegExp) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : null;
  };
  const rssKiB = number(/Maximum resident set size \(kbytes\): (\d+)/);
  return {
    peakRssBytes: rssKiB === null ? null : rssKiB * 1024,
    userSeconds: number(/User time \(seconds\): ([\d.]+)/),
    systemSeconds: number(/System time \(seconds\): ([\d.]+)/),
  };
}

function keepTail(text: string, max = 8000): string {
  return text.length <= max ? text : `...${text.slice(-max)}`;
}

/**
 * Runs `node <args>` and measures it. Peak RSS comes from GNU time (`/usr/bin/time -v`) when it
 * is there, else from bench/rss-probe.js loaded with --import, which writes the process's
 * getrusage() (maxRSS covers every thread of the process, workers included) when it exits.
 */
export async function measureNode(nodeArgs: string[], label = nodeArgs.join(' ')): Promise<ProcessMeasurement> {
  mkdirSync(WORK_DIR, { recursive: true });
  const statsFile = path.join(WORK_DIR, `stats-${process.pid}-${Date.now()}.txt`);
  const method: RssMethod = hasGnuTime() ? 'gnu-time' : 'rusage-probe';
  const [command, args, env] =
    method === 'gnu-time'
      ? ['/usr/bin/time', ['-v', '-o', statsFile, process.execPath, ...nodeArgs], process.env]
      : [process.execPath, ['--import', pathToFileURL(RSS_PROBE).href, ...nodeArgs], { ...process.env, CLAIMSCRUB_BENCH_RUSAGE: statsFile }];
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout = keepTail(stdout + text);
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = keepTail(stderr + text);
  });
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve([code, sig]));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  let stats: ReturnType<typeof parseGnuTime> = { peakRssBytes: null, userSeconds: null, systemSeconds: null };
  try {
    const text = readFileSync(statsFile, 'utf8');
    if (method === 'gnu-time') stats = parseGnuTime(text);
    else {
      const probe = JSON.parse(text) as { maxRssKiB: number; userSeconds: number; systemSeconds: number };
      stats = { peakRssBytes: probe.maxRssKiB * 1024, userSeconds: probe.userSeconds, systemSeconds: probe.systemSeconds };
    }
  } catch {
    // no stats (the child crashed before writing them): reported as n/a
  }
  rmSync(statsFile, { force: true });
  return { command: label, exitCode, signal, wallSeconds, ...stats, rssMethod: method, stdout, stderr };
}

// ---------------------------------------------------------------------------------------------
// Generated claim files, reused between runs

/** A short hash of the compiled generator: a changed generator means a new file, not a stale one. */
function generatorHash(): string {
  const dir = path.dirname(GENERATOR_CLI);
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.js')).sort()) {
    hash.update(name).update(readFileSync(path.join(dir, name)));
  }
  return hash.digest('hex').slice(0, 10);
}

export interface ClaimFile {
  file: string;
  count: number;
  seed: number;
  bytes: number;
  reused: boolean;
  generateSeconds: number;
}

/**
 * The NDJSON file of `count` generated claims with `seed` under os.tmpdir()/claimscrub-bench/,
 * generated (by the generator CLI, in its own process) only when it is not there yet. Written
 * under a temporary name and renamed, so a file with the final name is always complete.
 */
export async function claimFile(count: number, seed: number): Promise<ClaimFile> {
  mkdirSync(WORK_DIR, { recursive: true });
  const prefix = `claims-n${count}-s${seed}-`;
  const file = path.join(WORK_DIR, `${prefix}g${generatorHash()}.ndjson`);
  if (existsSync(file)) return { file, count, seed, bytes: statSync(file).size, reused: true, generateSeconds: 0 };
  // Files from an older generator with the same count and seed are stale: remove them.
  for (const name of readdirSync(WORK_DIR)) if (name.startsWith(prefix)) rmSync(path.join(WORK_DIR, name), { force: true });
  const partial = `${file}.partial-${process.pid}`;
  const started = performance.now();
  const run = await measureNode([GENERATOR_CLI, '--count', String(count), '--seed', String(seed), '--out', partial], 'generate');
  if (run.exitCode !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`the claim generator failed (exit ${run.exitCode}): ${run.stderr}`);
  }
  renameSync(partial, file);
  return { file, count, seed, bytes: statSync(file).size, reused: false, generateSeconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Output files

export interface OutputCheck {
  lines: number;
  bytes: number;
  sha256: string;
  /** The last line parsed, when it is JSON. */
  lastLine: unknown;
}

/** Counts the lines of a file, hashes it, and parses its last line. */
export async function checkOutput(file: string): Promise<OutputCheck> {
  const hash = createHash('sha256');
  let lines = 0;
  let bytes = 0;
  for await (const piece of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(piece);
    bytes += piece.length;
    for (let at = piece.indexOf(10); at !== -1; at = piece.indexOf(10, at + 1)) lines++;
  }
  return { lines, bytes, sha256: hash.digest('hex'), lastLine: readLastLine(file) };
}

function readLastLine(file: string): unknown {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n$/, '');
    const last = text.slice(text.lastIndexOf('\n') + 1);
    try {
      return JSON.parse(last) as unknown;
    } catch {
      return undefined;
    }
  } finally {
    closeSync(fd);
  }
}

export function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // best effort
  }
}

// ---------------------------------------------------------------------------------------------
// How many cores this process really gets

const SPIN_SOURCE = `
const { workerData } = require('node:worker_threads');
const end = Date.now() + workerData;
let x = 0;
while (Date.now() < end) x++;
`;

/**
 * Spins `threads` worker threads for `ms` and returns the CPU time they got over the wall time:
 * about `threads` on an idle machine, less when other work (here or on a shared host) takes cores.
 */
export async function effectiveCores(threads: number, ms: number): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(SPIN_SOURCE, { eval: true, workerData: ms });
          worker.once('error', reject);
          worker.once('exit', () => resolve());
        }),
    ),
  );
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return (cpu.user + cpu.system) / 1e6 / wall;
}

/**
 * Summarizes V8 CPU profiles (`node --cpu-prof`) by self time.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/engine/cli/main.js scrub ... --threads 2
 *   node dist/bench/cpuprofile-top.js [--top N] /tmp/prof/*.cpuprofile
 *
 * One table per profile (with --threads N, one profile per thread: the main thread and each
 * worker), the top functions by self time, with their share of the profile's sampled time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fmtNum, say, table } from './util.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  const at = file.lastIndexOf('/node_modules/');
  if (at >= 0) return file.slice(at + 1);
  const dist = file.lastIndexOf('/dist/');
  return dist >= 0 ? file.slice(dist + 1) : file;
}

export function selfTimes(profile: CpuProfile): { totalMs: number; rows: SelfTime[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, { name: string; where: string; micros: number }>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    // timeDeltas[i] is the time before sample i; the sample stands for the time up to the next one.
    const micros = profile.timeDeltas[index + 1] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName === '' ? '(anonymous)' : functionName;
    const where = url === '' ? '' : `${shortUrl(url)}:${lineNumber + 1}`;
    const key = `${name}@${where}`;
    const entry = self.get(key) ?? { name, where, micros: 0 };
    entry.micros += micros;
    self.set(key, entry);
  });
  const rows = [...self.values()]
    .sort((a, b) => b.micros - a.micros)
    .map((entry) => ({ name: entry.name, where: entry.where, selfMs: entry.micros / 1000, share: total > 0 ? entry.micros / total : 0 }));
  return { totalMs: total / 1000, rows };
}

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { top: { type: 'string', default: '20' } } });
  const top = Number(values.top);
  if (positionals.length === 0) {
    process.stderr.write('usage: node dist/bench/cpuprofile-top.js [--top N] FILE.cpuprofile...\n');
    return 2;
  }
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const { totalMs, rows } = selfTimes(profile);
    say(`\n${path.basename(file)}: ${fmtNum(totalMs)} ms sampled`);
    say(table(['self ms', 'self %', 'function', 'where'], rows.slice(0, top).map((row) => [fmtNum(row.selfMs), (row.share * 100).toFixed(1), row.name, row.where])));
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));

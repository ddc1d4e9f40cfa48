import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, ROOT, SAMPLE, runCli } from '../helpers/cli.js';
import { ruleYaml } from '../helpers/rule-trees.js';

const work = mkdtempSync(path.join(tmpdir(), 'claimscrub-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sampleLines = readFileSync(SAMPLE, 'utf8').split('\n').filter((line) => line.trim() !== '');
const office = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims/office-visit.json'), 'utf8'));

function writeInput(name: string, text: string): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return file;
}

describe('claimscrub scrub on the bundled sample', () => {
  const twoThreads = runCli(['scrub', SAMPLE, '--format', 'json', '--threads', '2']);
  const report = JSON.parse(twoThreads.stdout);

  it('gives one result per input claim, in input order', () => {
    expect(report.results).toHaveLength(sampleLines.length);
    expect(report.results.map((r: { source: { line: number } }) => r.source.line)).toEqual(sampleLines.map((_, i) => i + 1));
    sampleLines.forEach((line, i) => {
      let id: unknown = null;
      try {
        id = JSON.parse(line).id ?? null;
      } catch {
        // a malformed line has no id
      }
      expect(report.results[i].claimId).toBe(typeof id === 'string' ? id : null);
    });
  });

  it('writes the envelope pipelines rely on', () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.engine.name).toBe('claimscrub');
    expect(report.bundle.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(report.inputErrors).toEqual([]);
    const { summary } = report;
    expect(summary.claims).toBe(sampleLines.length);
    expect(summary.clean + summary.warning + summary.held).toBe(summary.claims);
    const held = report.results.filter((r: { status: string }) => r.status === 'held').length;
    expect(summary.held).toBe(held);
    expect(held).toBeGreaterThan(0);
  });

  it('gives results whose edits have the fixed field names', () => {
    const edit = report.results.flatMap((r: { edits: unknown[] }) => r.edits).find((e: { rule?: unknown }) => e.rule);
    expect(Object.keys(edit).sort()).toEqual(['carc', 'category', 'code', 'help', 'message', 'path', 'rule', 'serviceLine', 'severity'].filter((k) => k in edit).sort());
    expect(edit.rule.id).toBe(edit.code);
  });

  it('exits 1 when held claims reach --fail-on error (the default)', () => {
    expect(twoThreads.status).toBe(1);
  });

  it('gives the same report on one thread as on the worker pool', () => {
    const oneThread = runCli(['scrub', SAMPLE, '--format', 'json', '--threads', '1']);
    expect(oneThread.stdout).toBe(twoThreads.stdout);
  });

  it('exits 0 with --fail-on never and 1 with --fail-on warning', () => {
    expect(runCli(['scrub', SAMPLE, '--format', 'ndjson', '--fail-on', 'never']).status).toBe(0);
    expect(runCli(['scrub', SAMPLE, '--format', 'ndjson', '--fail-on', 'warning']).status).toBe(1);
  });

  it('writes NDJSON with the summary as the last line', () => {
    const lines = runCli(['scrub', SAMPLE, '--format', 'ndjson']).stdout.trim().split('\n');
    expect(lines).toHaveLength(sampleLines.length + 1);
    expect(JSON.parse(lines[lines.length - 1] as string).summary.claims).toBe(sampleLines.length);
    expect(JSON.parse(lines[0] as string).source).toEqual({ file: SAMPLE, line: 1 });
  });

  it('prints the stylish report with the held claims and the summary', () => {
    const run = runCli(['scrub', SAMPLE, '--fail-on', 'never']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('HELD');
    expect(run.stdout).toContain('Clean claim rate');
    expect(run.stdout).not.toMatch(/\u001b\[/);
  });
});

describe('claimscrub scrub on edge inputs', () => {
  it('scrubs a clean claim with exit 0', () => {
    const file = writeInput('clean.json', JSON.stringify(office, null, 2));
    const run = runCli(['scrub', file, '--format', 'json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.results).toHaveLength(1);
    expect(report.results[0].status).toBe('clean');
  });

  it('reads a JSON array of claims', () => {
    const file = writeInput('array.json', JSON.stringify([office, { ...office, id: 'SECOND' }]));
    const report = JSON.parse(runCli(['scrub', file, '--format', 'json']).stdout);
    expect(report.results.map((r: { claimId: string }) => r.claimId)).toEqual([office.id, 'SECOND']);
  });

  it('reads standard input when no file is given', () => {
    const run = runCli(['scrub', '--format', 'ndjson'], `${JSON.stringify(office)}\n`);
    expect(run.status).toBe(0);
    const first = JSON.parse(run.stdout.split('\n')[0] as string);
    expect(first.source.file).toBe('<stdin>');
  });

  it('gives zero results and exit 0 for empty input', () => {
    const file = writeInput('empty.ndjson', '');
    const run = runCli(['scrub', file, '--format', 'json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.results).toEqual([]);
    expect(report.summary.claims).toBe(0);
  });

  it('holds a malformed line and goes on with the rest', () => {
    const file = writeInput('mixed.ndjson', `${JSON.stringify(office)}\n{"id": "cut short",\n${JSON.stringify({ ...office, id: 'AFTER', subscriber: { ...office.subscriber, memberId: 'XBL999888777' } })}\n`);
    const run = runCli(['scrub', file, '--format', 'json']);
    const report = JSON.parse(run.stdout);
    expect(report.results.map((r: { status: string }) => r.status)).toEqual(['clean', 'held', 'clean']);
    expect(report.results[1].edits[0].code).toBe('malformed-json');
    expect(report.results[1].source.line).toBe(2);
    expect(report.results[2].claimId).toBe('AFTER');
    expect(run.status).toBe(1);
  });

  it('reports a missing input file, still scrubs the others, and exits 2', () => {
    const good = writeInput('good.ndjson', `${JSON.stringify(office)}\n`);
    const missing = path.join(work, 'nope.ndjson');
    const run = runCli(['scrub', missing, good, '--format', 'json']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(missing);
    const report = JSON.parse(run.stdout);
    expect(report.results).toHaveLength(1);
    expect(report.inputErrors).toEqual([{ file: missing, code: 'SCRUB_ERR_INPUT_UNREADABLE', message: 'The file does not exist.' }]);
  });

  it('writes the report to --output', () => {
    const out = path.join(work, 'report.ndjson');
    const file = writeInput('one.ndjson', `${JSON.stringify(office)}\n`);
    const run = runCli(['scrub', file, '--format', 'ndjson', '--output', out]);
    expect(run.stdout).toBe('');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('refuses bad usage with exit 2', () => {
    expect(runCli(['scrub', '--format', 'xml']).status).toBe(2);
    expect(runCli(['scrub', '--threads', '0']).status).toBe(2);
    expect(runCli(['scrub', '--no-such-flag']).status).toBe(2);
    expect(runCli(['frobnicate']).status).toBe(2);
  });

  it('refuses an invalid rule file with its file, line and column, and exits 2', () => {
    const rules = path.join(work, 'bad-rules');
    mkdirSync(path.join(rules, 'coding'), { recursive: true });
    writeFileSync(
      path.join(rules, 'coding', 'units-zero.yaml'),
      ruleYaml({
        id: 'units-zero',
        category: 'coding',
        severity: 'eror',
        scope: 'line',
        when: ['  all:', '    - { fact: line, path: $.units, operator: equal, value: 0 }'],
        location: 'serviceLines[*].units',
        message: 'Units are zero.',
      }),
    );
    const file = writeInput('for-rules.ndjson', `${JSON.stringify(office)}\n`);
    const run = runCli(['scrub', file, '--rules', rules, '--payers', path.join(work, 'no-payers')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('SCRUB_ERR_RULE_INVALID');
    expect(run.stderr).toContain(`${path.join(rules, 'coding', 'units-zero.yaml')}:5:11`);
    expect(run.stdout).toBe('');
  });

  it('stops with a clear message and exit 2 when the reader closes the pipe early', async () => {
    const child = spawn(process.execPath, [CLI, 'scrub', SAMPLE, '--format', 'ndjson', '--log-level', 'silent'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += String(data)));
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(2);
    expect(stderr).toContain('SCRUB_ERR_OUTPUT');
    expect(stderr).not.toContain('internal error');
  });

  it('scrubs with your own rules directory, without the bundled payer policies', () => {
    const rules = path.join(work, 'own-rules');
    mkdirSync(path.join(rules, 'coding'), { recursive: true });
    writeFileSync(
      path.join(rules, 'coding', 'units-above-one.yaml'),
      ruleYaml({
        id: 'units-above-one',
        category: 'coding',
        severity: 'warning',
        scope: 'line',
        when: ['  all:', '    - { fact: line, path: $.units, operator: greaterThan, value: 1 }'],
        location: 'serviceLines[*].units',
        message: '{{line.procedureCode}} is billed with {{line.units}} units.',
        carc: '151',
      }),
    );
    const file = writeInput('units.ndjson', `${JSON.stringify({ ...office, serviceLines: [{ ...office.serviceLines[0], units: 3 }] })}\n`);
    const run = runCli(['scrub', file, '--rules', rules, '--format', 'json', '--fail-on', 'warning']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const [result] = JSON.parse(run.stdout).results;
    expect(result.status).toBe('warning');
    expect(result.edits).toEqual([
      expect.objectContaining({ code: 'units-above-one', message: '99214 is billed with 3 units.', path: 'serviceLines[0].units', serviceLine: 1, carc: '151' }),
    ]);
    expect(result.payerPolicy).toBeNull();
  });

  it('keeps claim content out of the logs', () => {
    const run = runCli(['scrub', SAMPLE, '--format', 'ndjson', '--log-level', 'debug']);
    const logs = run.stderr.trim().split('\n').map((line) => JSON.parse(line));
    expect(logs.some((record) => record.msg === 'batch scrubbed' && record.claimCount === sampleLines.length)).toBe(true);
    const claims = sampleLines.slice(0, 200).flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
    for (const claim of claims) {
      for (const value of [claim.subscriber?.memberId, claim.patient?.lastName, claim.patient?.dateOfBirth, claim.patient?.address?.line1]) {
        if (typeof value === 'string' && value.length > 3) expect(run.stderr).not.toContain(value);
      }
    }
  });
});

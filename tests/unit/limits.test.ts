// One source of limits: the lab's form (its fields' min/max come from ANALYSIS_LIMITS), the lab's check before a
// run, the pipeline the worker and the CLI run, and the CLI's option parsing all accept and refuse the same values.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ANALYSIS_LIMITS, limitProblem, type LimitedParam } from '../../src/lib/analysis/limits';
import { AnalysisError, analyzeFilters, type AnalysisOptions } from '../../src/lib/analysis/pipeline';
import { defaultAnalysisParams, validateAnalysisParams } from '../../src/lib/lab/settings';

const cli = new URL('../../src/cli/kleinscope.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kleinscope-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two filters: any options the pipeline accepts fail later, on the input, never on the option. */
const tooFew = new Float64Array(18).map((_, i) => (i % 9) - 4);

async function pipelineAccepts(name: LimitedParam, value: number): Promise<boolean> {
  // A fixed resolution, so gain is checked on its own (an automatic one allows gain up to 2 only).
  const options: AnalysisOptions = { resolution: 10, [name]: value };
  try {
    await analyzeFilters(tooFew, { kind: 'synthetic', dataset: 'limits' }, options);
    return true;
  } catch (e) {
    if (e instanceof AnalysisError && e.field === name) return false;
    return true;
  }
}

function labAccepts(name: LimitedParam, value: number): boolean {
  try {
    validateAnalysisParams({ ...defaultAnalysisParams(), [name]: value });
    return true;
  } catch {
    return false;
  }
}

// The values the issue found computed though their fields marked them invalid, and each bound and beyond it.
const cases: Array<[LimitedParam, number]> = [
  ['resolution', 500],
  ['gain', 50],
  ['p', 0.5],
];
for (const [name, l] of Object.entries(ANALYSIS_LIMITS) as Array<
  [LimitedParam, (typeof ANALYSIS_LIMITS)[LimitedParam]]
>) {
  const step = l.integer ? 1 : 0.01;
  cases.push([name, l.min], [name, l.max], [name, l.min - step], [name, l.max + step]);
  if (l.integer) cases.push([name, l.min + 0.5]);
}

describe('analysis parameter limits', () => {
  test.each(cases)('%s = %s: the lab and the pipeline agree with the limits', async (name, value) => {
    const within = limitProblem(name, value) === null;
    expect(labAccepts(name, value)).toBe(within);
    // modulus must also be a prime; its limits are checked on primes and non-primes alike, so only refusals count.
    if (name !== 'modulus' || !within) expect(await pipelineAccepts(name, value)).toBe(within);
  });

  test('the CLI refuses a value beyond the limits with the option named, and takes one within', () => {
    const rows = Array.from({ length: 30 }, (_, i) =>
      Array.from({ length: 9 }, (_, j) => Math.cos(i + j * (1 + i / 7))).join(','),
    );
    writeFileSync(join(dir, 'f.csv'), rows.join('\n') + '\n');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [cli, 'analyze', 'f.csv', '--out', 'o.json', ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
    const over = run('--resolution', String(ANALYSIS_LIMITS.resolution.max + 1));
    expect(over.status).toBe(2);
    expect(over.stderr).toMatch(new RegExp(`--resolution: ${ANALYSIS_LIMITS.resolution.max + 1} is above`));
    const low = run('--p', '0.05');
    expect(low.stderr).toMatch(/--p: 0\.05 is below 0\.1/);
    const fine = run('--p', '50', '--k', '5', '--resolution', '5', '--gain', '2');
    expect(fine.stderr).toBe('');
    expect(fine.status).toBe(0);
  });
});

import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from '../command';
import { parse, numberOption } from '../args';
import { CliError, at } from '../errors';
import { findLoader } from '../inputs/index';
import type { LoadedFilters } from '../inputs/loader';
import { AnalysisError, analyzeFilters, DEFAULT_OPTIONS, parseLens } from '../../lib/analysis/pipeline';
import { FilterValueError } from '../../lib/analysis/preprocess';
import { ANALYSIS_LIMITS } from '../../lib/analysis/limits';
import { validateResult } from '../../lib/result/validate';
import type { ResultDocument } from '../../lib/result/schema';
import { DEFAULT_MAX_FILTERS } from '../../lib/nn/modelImport';
import { seededSample } from '../../lib/nn/convLayers';
import { PersistenceTooLargeError } from '../../lib/tda/ripsCohomology';
import { writeAtomically } from '../atomicWrite';
import { nodeTaskPool } from '../threadPool';
import { patternAtlasLine } from '../../lib/analysis/patternAtlasStage';
import { MAX_RESAMPLES } from '../../lib/analysis/options';
import { CLI_RESAMPLES, verdictOf } from '../../lib/analysis/verdict';

const usage =
  'kleinscope analyze INPUT [--layer N] [--step S] [--k 50] [--p 30] [--lens pca|pca:i,j|codensity|angle|circular|ball] ' +
  '[--resolution auto|N] [--gain auto|G] [--epsilon auto|X] [--bootstrap 0] [--resamples 30] [--dim 1] [--modulus 2] [--landmarks 500] [--seed 1] [--title T] [--max-filters 50000] --out RESULT.json';

/** Option names as the CLI spells them, for errors raised inside the pipeline. */
const flag: Record<string, string> = {
  maxDim: '--dim',
  lens: '--lens',
  k: '--k',
  p: '--p',
  modulus: '--modulus',
  resolution: '--resolution',
  gain: '--gain',
  epsilon: '--epsilon',
  bootstrap: '--bootstrap',
  resamples: '--resamples',
  landmarks: '--landmarks',
  seed: '--seed',
};

function checkOutput(out: string): void {
  const dir = dirname(resolve(out));
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new CliError(`--out ${out}: the folder ${dir} does not exist`, 2);
  try {
    if (statSync(out).isDirectory()) throw new CliError(`--out ${out}: is a folder`, 2);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
}

/** A seeded subsample of the filters, recorded in the source so that it can be reproduced. */
function subsample(loaded: LoadedFilters, maxFilters: number, seed: number): LoadedFilters {
  const n = loaded.filters.length / 9;
  if (n <= maxFilters) return loaded;
  const pick = seededSample(n, maxFilters, seed);
  const filters = new Float64Array(pick.length * 9);
  pick.forEach((i, r) => filters.set(loaded.filters.subarray(i * 9, i * 9 + 9), r * 9));
  return {
    filters,
    source: { ...loaded.source, subsample: { of: n, taken: filters.length / 9, seed } },
    layer: async () => loaded.filters,
  };
}

/** 'auto' or a number within the checks. */
function autoOption(
  name: string,
  raw: string | undefined,
  fallback: number | 'auto',
  check: { integer?: boolean; min?: number; max?: number },
): number | 'auto' {
  if (raw === 'auto') return 'auto';
  if (raw === undefined) return fallback;
  if (!Number.isFinite(Number(raw)) || raw.trim() === '')
    throw new CliError(`--${name}: '${raw}' is neither 'auto' nor a number`, 2);
  return numberOption(name, raw, 0, check);
}

export const command: Command = {
  summary: 'filters (CSV, JSON, .npy, a training folder or a model) -> Mapper graph, barcodes, model fit',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        layer: { type: 'string' },
        step: { type: 'string' },
        k: { type: 'string' },
        p: { type: 'string' },
        lens: { type: 'string' },
        resolution: { type: 'string' },
        gain: { type: 'string' },
        epsilon: { type: 'string' },
        bootstrap: { type: 'string' },
        resamples: { type: 'string' },
        dim: { type: 'string' },
        modulus: { type: 'string' },
        landmarks: { type: 'string' },
        seed: { type: 'string' },
        'max-filters': { type: 'string' },
        title: { type: 'string' },
        out: { type: 'string', short: 'o' },
      },
      usage,
    );
    if (positionals.length !== 1)
      throw new CliError(`expected one INPUT, got ${positionals.length}\nusage: ${usage}`, 2);
    if (values.out === undefined) throw new CliError(`--out RESULT.json is required\nusage: ${usage}`, 2);
    const input = positionals[0];
    const out = values.out;
    const d = DEFAULT_OPTIONS;
    const layer =
      values.layer === undefined ? undefined : numberOption('layer', values.layer, 1, { integer: true, min: 1 });
    const step =
      values.step === undefined ? undefined : numberOption('step', values.step, 0, { integer: true, min: 0 });
    const options = {
      k: numberOption('k', values.k, d.k, ANALYSIS_LIMITS.k),
      p: numberOption('p', values.p, d.p, ANALYSIS_LIMITS.p),
      lens: values.lens ?? d.lens,
      resolution: autoOption('resolution', values.resolution, d.resolution, ANALYSIS_LIMITS.resolution),
      gain: autoOption('gain', values.gain, d.gain, ANALYSIS_LIMITS.gain),
      epsilon: autoOption('epsilon', values.epsilon, d.epsilon, { min: Number.MIN_VALUE }),
      bootstrap: numberOption('bootstrap', values.bootstrap, d.bootstrap, { integer: true, min: 0, max: 1000 }),
      resamples: numberOption('resamples', values.resamples, CLI_RESAMPLES, {
        integer: true,
        min: 0,
        max: MAX_RESAMPLES,
      }),
      maxDim: numberOption('dim', values.dim, d.maxDim, ANALYSIS_LIMITS.maxDim),
      modulus: numberOption('modulus', values.modulus, d.modulus, ANALYSIS_LIMITS.modulus),
      landmarks: numberOption('landmarks', values.landmarks, d.landmarks, { integer: true, min: 2, max: 5000 }),
      seed: numberOption('seed', values.seed, d.seed, { integer: true, min: -(2 ** 31), max: 2 ** 31 - 1 }),
      ...(values.title !== undefined ? { title: values.title } : {}),
    };
    if (values.title !== undefined && values.title.length > 200)
      throw new CliError('--title: at most 200 characters', 2);
    try {
      parseLens(options.lens);
    } catch (e) {
      throw new CliError(`--lens: ${(e as Error).message.replace(/^lens /, '')}`, 2);
    }
    checkOutput(out);

    const loader = findLoader(input);
    const maxFilters = numberOption('max-filters', values['max-filters'], DEFAULT_MAX_FILTERS, {
      integer: true,
      min: 3,
    });
    const loaded = await loader.load(input, { layer, step, maxFilters, seed: options.seed });
    // A model's loader subsamples its layer itself (by default too); any other input only when asked to.
    const {
      filters,
      source,
      layer: wholeLayer,
    } = values['max-filters'] !== undefined && loaded.source.subsample === undefined
      ? subsample(loaded, maxFilters, options.seed)
      : loaded;
    let doc;
    // Both cores for the k-NN search and the confidence resamples; same document as one thread.
    const pool = nodeTaskPool();
    try {
      const layer = wholeLayer && (options.resamples ?? 0) > 0 ? await wholeLayer() : undefined;
      doc = await analyzeFilters(filters, source, options, { ...(layer ? { layer } : {}), pool });
    } catch (e) {
      if (e instanceof FilterValueError) throw new CliError(at(input, undefined, e.message));
      if (e instanceof AnalysisError) {
        const name = e.field && flag[e.field];
        throw new CliError(name ? `${name}: ${e.message}` : at(input, undefined, e.message), name ? 2 : 1);
      }
      if (e instanceof PersistenceTooLargeError) throw new CliError(`persistent homology: ${e.message}`);
      throw e;
    } finally {
      pool.terminate();
    }
    const checked = validateResult(doc);
    if (!checked.ok)
      throw new CliError(`internal error: the result fails its schema at ${checked.field}: ${checked.message}`, 70);
    writeAtomically(out, JSON.stringify(doc));
    const h1 = doc.persistence.diagrams[1] ?? [];
    const t = doc.persistence.threshold ?? 0;
    const longest = h1.reduce((m, [b, dd]) => Math.max(m, (dd ?? t) - b), 0);
    process.stdout.write(
      `${out}: ${doc.preprocessing.nKept}/${doc.preprocessing.nInput} filters kept, core ${doc.preprocessing.nCore} ` +
        `(k=${doc.preprocessing.k}, p=${doc.preprocessing.p}); Mapper ${doc.mapper.nodes.length} nodes, ` +
        `${doc.mapper.edges.length} edges, ${doc.mapper.loops} loop${doc.mapper.loops === 1 ? '' : 's'} ` +
        `(${doc.mapper.chosen === 'auto' ? 'automatic' : 'fixed'}: ${mapperChoice(doc.mapper)}); ` +
        `${bootstrapLine(doc.mapper.bootstrap)}${doc.persistence.complex} H1 ${h1.length} bars, longest ${longest.toFixed(3)}; ` +
        `${Math.round(doc.timings.total)} ms\n${verdictLine(doc)}\n`,
    );
    if (doc.patternAtlas) process.stdout.write(`${patternAtlasLine(doc.patternAtlas)}\n`);
    return 0;
  },
};

function mapperChoice(m: ResultDocument['mapper']): string {
  if (m.lens === 'ball') return `epsilon ${m.scale}`;
  const r = m.resolutions?.join('x') ?? String(m.resolution);
  return `resolution ${r}, gain ${m.gain}${m.chosen === 'auto' ? `, scale ${m.scale}` : ''}`;
}

function bootstrapLine(b: ResultDocument['mapper']['bootstrap']): string {
  if (!b) return '';
  const loops = b.loops.map((l) => `${Math.round(l.survival * 100)}%`).join(', ');
  return `bootstrap ${b.resamples} resamples, loops survive ${loops || '(no loops)'}; `;
}

function verdictLine(doc: ResultDocument): string {
  const v = verdictOf(doc);
  return `verdict: ${v.sentence}`;
}

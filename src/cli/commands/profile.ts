/**
 * `kleinscope profile MODEL --out DIR`: every 3x3 conv layer of a model analysed in network order, as one chart
 * (figure 6 of the paper) plus its numbers and one result document per layer.
 */
import { mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { nodeTaskPool } from '../threadPool';
import type { Command } from '../command';
import { parse, numberOption } from '../args';
import { CliError, at } from '../errors';
import { DEFAULT_MAX_FILTERS, ModelImportError } from '../../lib/nn/modelImport';
import { openModelFile } from '../../lib/nn/modelImportNode';
import { analyzeModelLayers, type LayerAnalysis, type ModelLayersOptions } from '../../lib/analysis/modelLayers';
import { layerProfile, profileCsv } from '../../lib/analysis/layerProfile';
import { AnalysisError, DEFAULT_OPTIONS } from '../../lib/analysis/pipeline';
import { profileToSvg, thumbnailData, thumbnailSvg, type ThumbnailData } from '../../lib/export/profileSvg';
import { baseNameOf, profileDocument } from '../../lib/analysis/profileDocument';
import { validateProfile } from '../../lib/result/validate';
import { validateResult } from '../../lib/result/validate';
import type { ProfileReply, ProfileWorkerData } from '../profileWorker';
import { writeAtomically } from '../atomicWrite';
import { patternAtlasLine } from '../../lib/analysis/patternAtlasStage';
import { CLI_RESAMPLES } from '../../lib/analysis/verdict';
import { MAX_RESAMPLES } from '../../lib/analysis/options';

/**
 * Landmarks of the witness complex for each layer. The profile needs only H1's two longest bars, and on a core of
 * thousands of points 200 landmarks find them as 500 do at a sixth of the time (the persistence stage dominates
 * once the core is found); `--landmarks 500` gives the single-layer default back.
 */
export const PROFILE_LANDMARKS = 200;

/** Layers analysed at once, each in a worker thread: one per core, up to two (the machine this was built on). */
export const DEFAULT_JOBS = Math.max(1, Math.min(2, availableParallelism()));

const usage =
  'kleinscope profile MODEL.json|WEIGHTS_MANIFEST.json --out DIR [--max-filters 50000] [--seed 1] ' +
  `[--landmarks ${PROFILE_LANDMARKS}] [--resamples ${CLI_RESAMPLES}] [--jobs ${DEFAULT_JOBS}] [--dataset NAME] [--title TEXT] [--url MODEL_URL]`;

/**
 * Analyses `layers` on `jobs` worker threads (each opens the model itself), calling `onLayer` as each finishes;
 * the results come back in the order of `layers`. A worker that fails stops the run.
 */
function analyzeInWorkers(
  path: string,
  layers: number[],
  options: Omit<ModelLayersOptions, 'layers'>,
  jobs: number,
  onLayer: (result: LayerAnalysis) => void,
): Promise<LayerAnalysis[]> {
  const results = new Map<number, LayerAnalysis>();
  const queue = [...layers];
  const workers: Worker[] = [];
  return new Promise<LayerAnalysis[]>((resolvePool, rejectPool) => {
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      rejectPool(e);
    };
    const next = (worker: Worker) => {
      const index = queue.shift();
      if (index !== undefined) worker.postMessage(index);
      else void worker.terminate();
    };
    const data: ProfileWorkerData = { path, options };
    for (let j = 0; j < Math.min(jobs, layers.length); j++) {
      const worker = new Worker(new URL('./profileWorker.js', import.meta.url), { workerData: data });
      workers.push(worker);
      worker.on('error', (e) => fail(new CliError(`internal error: a worker thread failed: ${e.message}`, 70)));
      worker.on('message', (reply: ProfileReply) => {
        if (failed) return;
        if ('error' in reply) {
          if (reply.kind === 'import') return fail(new CliError(reply.error));
          if (reply.kind === 'options')
            return fail(new CliError(`${reply.field ? `--${reply.field}: ` : ''}${reply.error}`, 2));
          return fail(new CliError(`internal error: layer ${reply.index}: ${reply.error}`, 70));
        }
        results.set(reply.index, reply.result);
        try {
          onLayer(reply.result);
        } catch (e) {
          return fail(e);
        }
        if (results.size === layers.length) {
          for (const w of workers) void w.terminate();
          return resolvePool(layers.map((i) => results.get(i)!));
        }
        next(worker);
      });
      next(worker);
    }
  });
}

/** DIR may exist (files in it are replaced one by one, atomically) or be new, but its parent must exist. */
function prepareOutDir(dir: string): void {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isDirectory()) throw new CliError(`--out ${dir}: is a file, not a folder`, 2);
  if (stat) return;
  const parent = dirname(resolve(dir));
  try {
    if (!statSync(parent).isDirectory()) throw new Error();
  } catch {
    throw new CliError(`--out ${dir}: the folder ${parent} does not exist`, 2);
  }
  try {
    mkdirSync(dir);
  } catch (e) {
    throw new CliError(`--out ${dir}: cannot create (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/** The options a profile was made with, for its description: --out is a local folder and is left out. */
function commandOptions(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) continue;
    if (a === '--out' || a === '-o') {
      i++;
      continue;
    }
    if (a.startsWith('--out=')) continue;
    const value = a.includes('=') || i + 1 >= argv.length || argv[i + 1].startsWith('-') ? null : argv[++i];
    out.push(value === null ? a : `${a} ${/^[\w.:/@,-]+$/.test(value) ? value : JSON.stringify(value)}`);
  }
  return out;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const command: Command = {
  summary: 'every 3x3 conv layer of a model analysed: one chart (SVG), its numbers (CSV), one result per layer',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        out: { type: 'string', short: 'o' },
        'max-filters': { type: 'string' },
        seed: { type: 'string' },
        landmarks: { type: 'string' },
        resamples: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        dataset: { type: 'string' },
        title: { type: 'string' },
        url: { type: 'string' },
      },
      usage,
    );
    if (positionals.length !== 1) throw new CliError(`expected one MODEL.json or weights manifest\nusage: ${usage}`, 2);
    if (values.out === undefined) throw new CliError(`--out DIR is required\nusage: ${usage}`, 2);
    const path = positionals[0];
    const out = values.out;
    const maxFilters = numberOption('max-filters', values['max-filters'], DEFAULT_MAX_FILTERS, {
      integer: true,
      min: 3,
    });
    const seed = numberOption('seed', values.seed, DEFAULT_OPTIONS.seed, {
      integer: true,
      min: -(2 ** 31),
      max: 2 ** 31 - 1,
    });
    const landmarks = numberOption('landmarks', values.landmarks, PROFILE_LANDMARKS, {
      integer: true,
      min: 2,
      max: 5000,
    });
    const resamples = numberOption('resamples', values.resamples, CLI_RESAMPLES, {
      integer: true,
      min: 0,
      max: MAX_RESAMPLES,
    });
    const jobs = numberOption('jobs', values.jobs, DEFAULT_JOBS, { integer: true, min: 1, max: 64 });
    if (values.dataset !== undefined && values.dataset.length > 80)
      throw new CliError('--dataset: at most 80 characters', 2);
    if (values.title !== undefined && values.title.length > 200)
      throw new CliError('--title: at most 200 characters', 2);
    if (values.url !== undefined && !/^https?:\/\/[^\s]+$/.test(values.url))
      throw new CliError(`--url: '${values.url}' is not an http(s) URL of the model`, 2);

    let model;
    try {
      model = await openModelFile(path);
    } catch (e) {
      if (e instanceof ModelImportError) throw new CliError(e.message);
      throw e;
    }
    const layers = model.convLayers.filter((l) => l.is3x3).map((l) => l.index);
    if (layers.length === 0) {
      const n = model.convLayers.length;
      throw new CliError(at(path, undefined, `none of its ${n} conv layer${n === 1 ? '' : 's'} has 3x3 kernels`));
    }
    prepareOutDir(out);

    const started = performance.now();
    const pad = String(Math.max(...layers)).length;
    const docName = (index: number) => `layer-${String(index).padStart(pad, '0')}.json`;
    const thumbnails = new Map<number, ThumbnailData | null>();
    const options: Omit<ModelLayersOptions, 'layers'> = {
      maxFilters,
      seed,
      ...(values.dataset !== undefined ? { dataset: values.dataset } : {}),
      // Everything else is the pipeline's own default, so the profile follows it.
      analysis: { landmarks, seed, resamples },
    };
    let results: LayerAnalysis[];
    // With one job, the layer's k-NN and resamples take the cores (with several, the layers do).
    const analysisPool = jobs === 1 ? nodeTaskPool() : undefined;
    try {
      const onLayer = (r: LayerAnalysis) => {
        const head = `layer ${r.layer.index} (${r.layer.name})`;
        if (r.status !== 'done') {
          process.stdout.write(`${head}: ${r.status === 'failed' ? r.error : r.reason}\n`);
          return;
        }
        const checked = validateResult(r.document);
        if (!checked.ok)
          throw new CliError(
            `internal error: layer ${r.layer.index}'s result fails its schema at ${checked.field}: ${checked.message}`,
            70,
          );
        const file = join(out, docName(r.layer.index));
        writeAtomically(file, JSON.stringify(r.document));
        thumbnails.set(r.layer.index, thumbnailData(r.document));
        const d = r.document;
        process.stdout.write(
          `${head}: ${d.preprocessing.nInput} filters, core ${d.preprocessing.nCore}, ` +
            `Mapper ${d.mapper.nodes.length} nodes; ${seconds(d.timings.total)} -> ${file}\n` +
            (d.patternAtlas ? `  ${patternAtlasLine(d.patternAtlas)}\n` : ''),
        );
      };
      results =
        jobs === 1
          ? await analyzeModelLayers(
              model,
              { ...options, layers },
              { onLayer, ...(analysisPool ? { pool: analysisPool } : {}) },
            )
          : await analyzeInWorkers(path, layers, options, jobs, onLayer);
    } catch (e) {
      if (e instanceof ModelImportError) throw new CliError(e.message);
      if (e instanceof AnalysisError) throw new CliError(`${e.field ? `--${e.field}: ` : ''}${e.message}`, 2);
      throw e;
    } finally {
      analysisPool?.terminate();
    }
    const rows = layerProfile(results);
    const name = model.modelName ?? path.split(/[\\/]/).pop() ?? path;
    const chart = profileToSvg(rows, {
      title: `Layer profile: ${name}`,
      thumbnail: (i) => (thumbnails.has(i) ? thumbnailSvg(thumbnails.get(i)!) : undefined),
    });
    writeAtomically(join(out, 'profile.svg'), chart.svg);
    writeAtomically(join(out, 'profile.csv'), profileCsv(rows));
    const docs = new Map(results.flatMap((r) => (r.status === 'done' ? [[r.layer.index, r.document] as const] : [])));
    const profile = profileDocument(rows, docs, thumbnails, {
      modelName: baseNameOf(name),
      dataset: values.dataset ?? docs.values().next().value?.source.dataset ?? baseNameOf(name).slice(0, 80),
      ...(values.url !== undefined ? { url: values.url } : {}),
      ...(values.title !== undefined ? { title: values.title } : {}),
      options: { k: DEFAULT_OPTIONS.k, p: DEFAULT_OPTIONS.p, maxFilters, seed, landmarks },
      command: ['kleinscope profile', baseNameOf(path), ...commandOptions(argv)].join(' '),
    });
    const checkedProfile = validateProfile(profile);
    if (!checkedProfile.ok)
      throw new CliError(
        `internal error: the profile fails its schema at ${checkedProfile.field}: ${checkedProfile.message}`,
        70,
      );
    writeAtomically(join(out, 'profile.json'), JSON.stringify(profile));
    const done = results.filter((r) => r.status === 'done').length;
    process.stdout.write(
      `${join(out, 'profile.svg')}, ${join(out, 'profile.csv')}, ${join(out, 'profile.json')}: ${done} of ${layers.length} 3x3 layers analysed ` +
        `in ${seconds(performance.now() - started)}\n`,
    );
    return done === layers.length ? 0 : 1;
  },
};

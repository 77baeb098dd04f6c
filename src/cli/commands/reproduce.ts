/**
 * `kleinscope reproduce`: the paper's experiment end to end. Many trainings of the paper's net (through
 * `kleinscope train`, so DIR is an ordinary training folder that `kleinscope analyze DIR --layer L --step S` reads),
 * every snapshot of every conv layer analysed into a result document, and the emergence table of figure 5 printed
 * and saved. Every stage resumes: training from its checkpoints, analysis by skipping the documents already written.
 * `photos:DIR` is the 2008 natural-patches analysis instead: no training, one document.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../main';
import { parse, numberOption } from '../args';
import { CliError, at } from '../errors';
import { availableParallelism } from 'node:os';
import { command as trainCommand } from './train';
import { mergeManifests, readParts, trainInParallel } from '../parallelTraining';
import { manifestSchema, type Manifest } from '../../lib/nn/manifest';
import { send, serverUrl, defaultServer } from './publish';
import { loadSnapshotDir, readManifest } from '../inputs/snapshotDir';
import { readPhotoFolder } from '../inputs/photos';
import { AnalysisError, analyzeFilters, type AnalysisOptions } from '../../lib/analysis/pipeline';
import {
  emergenceRows,
  formatEmergenceTable,
  meanAccuracyByStep,
  type EmergenceRow,
} from '../../lib/analysis/emergence';
import { highContrastPatches } from '../../lib/nn/datasets/patches';
import { DatasetError } from '../../lib/nn/datasets/dataset';
import { validateResult } from '../../lib/result/validate';
import type { ResultDocument } from '../../lib/result/schema';
import { PersistenceTooLargeError } from '../../lib/tda/ripsCohomology';
import { writeAtomically } from '../atomicWrite';
import { MAX_RESAMPLES } from '../../lib/analysis/options';
import { CLI_RESAMPLES } from '../../lib/analysis/verdict';

const usage =
  'kleinscope reproduce mnist|cifar10:PATH|photos:DIR --out DIR [--runs 30] [--steps 100,200,400,800] [--batch 64] ' +
  '[--lr 0.001] [--seed 0] [--k 50] [--p 30] [--resamples 30] [--backend wasm|cpu] [--init pytorch|glorot] [--ensemble K] [--workers W] [--publish [--server URL]] [--quiet]\n' +
  '  mnist            30 trainings of mnist-paper (the paper and its sanity check), layers 1 and 2 analysed\n' +
  '  cifar10:PATH     the same with cifar-paper on CIFAR-10 binary batches (a file or a folder of them)\n' +
  '  photos:DIR       high-contrast 3x3 patches of the JPEG/PNG photos in DIR, analysed as X(300,30) (2008)\n' +
  '  --steps a,b,c    snapshot steps; training runs to the last one\n' +
  '  --init NAME      how weights start: pytorch (default; the reference reproduction) or glorot (Keras)\n' +
  '  --workers W      training processes (default: one per core); each trains its share of the runs\n' +
  '  --partial        train nothing: analyse the runs that reached every step so far, in DIR/partial-N\n' +
  '  --k, --p         the density core X(k,p) of every analysis (photos: 300, 30)\n' +
  '  --resamples B    runs resampled for the confidence of each verdict (default 30; photos 0; 0 turns it off)\n' +
  '  --publish        publish the documents as the versions of one link (the server of `npm start` by default)';

export const SUMMARY_FORMAT = 'kleinscope/emergence@1';
export const SUMMARY_FILE = 'emergence.json';
const PUBLISHED_FILE = 'published.json';

export interface ReproduceSummary {
  format: typeof SUMMARY_FORMAT;
  /** The command line that made it, to rerun or resume. */
  command: string;
  target: string;
  dataset: string;
  architecture: string | null;
  runs: number | null;
  batchSize: number | null;
  snapshotSteps: number[];
  analysis: { k: number; p: number };
  /** Wall seconds spent training and analysing (summed over resumed invocations). */
  seconds: { training: number; analysis: number };
  /** Result documents, relative to DIR, in the order of rows. */
  results: string[];
  rows: EmergenceRow[];
}

/**
 * A training folder of the runs of `out` that have reached every snapshot step so far, as out/partial-N (N runs),
 * its kernel files named in place: the emergence table of a training still under way, or stopped early.
 */
function writePartial(out: string, steps: number[]): string {
  let whole: Manifest;
  const parts = existsSync(join(out, 'parts')) ? readParts(out) : [];
  if (parts.length) whole = mergeManifests(parts);
  else if (existsSync(join(out, 'manifest.json'))) whole = readManifest(out);
  else throw new CliError(`--partial: ${out} holds no training yet`);
  const done = [...new Set(whole.snapshots.map((s) => s.run))].filter((r) =>
    steps.every((step) => whole.snapshots.some((s) => s.run === r && s.step === step)),
  );
  if (done.length === 0) throw new CliError(`--partial: no run of ${out} has reached step ${steps.at(-1)} yet`);
  const name = `partial-${done.length}`;
  const manifest = manifestSchema.parse({
    ...whole,
    complete: false,
    runs: done.length,
    snapshots: whole.snapshots
      .filter((s) => done.includes(s.run) && steps.includes(s.step))
      .map((s) => ({ ...s, kernels: s.kernels.map((k) => ({ ...k, file: `../${k.file}` })) })),
  });
  writeAtomically(join(out, name, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n', true);
  return join(out, name);
}

/** Where the document of (step, layer) lives, relative to DIR. */
export const resultPath = (step: number, layer: number) =>
  `results/step-${String(step).padStart(7, '0')}-layer${layer}.json`;

function parseSteps(raw: string | undefined): number[] {
  const text = raw ?? '100,200,400,800';
  const steps = text.split(',').map((s) => {
    const t = s.trim();
    if (!/^\d+$/.test(t) || Number(t) < 1) throw new CliError(`--steps: '${s}' is not a positive step number`, 2);
    return Number(t);
  });
  return [...new Set(steps)].sort((a, b) => a - b);
}

/** A document written earlier for the same analysis, or null when it is missing, broken or made differently. */
function readDocument(path: string, k: number, p: number): ResultDocument | null {
  if (!existsSync(path)) return null;
  try {
    const checked = validateResult(JSON.parse(readFileSync(path, 'utf8')));
    if (!checked.ok) return null;
    const doc = checked.value;
    return doc.preprocessing.p === p && (doc.preprocessing.k === k || doc.preprocessing.nKept <= k) ? doc : null;
  } catch {
    return null;
  }
}

function readSummary(dir: string): ReproduceSummary | null {
  try {
    const s = JSON.parse(readFileSync(join(dir, SUMMARY_FILE), 'utf8')) as ReproduceSummary;
    return s.format === SUMMARY_FORMAT ? s : null;
  } catch {
    return null;
  }
}

/** The command line without the options that only say where or how fast: the same recipe gives the same document. */
export function recipeOf(argv: string[]): string {
  const valued = new Set(['--out', '--workers', '--server']);
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split('=')[0]!;
    if (valued.has(name)) {
      if (!a.includes('=')) i++;
      continue;
    }
    if (a === '--publish' || a === '--quiet') continue;
    kept.push(/^[\w.,:/=@+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  }
  return ['kleinscope', 'reproduce', ...kept].join(' ');
}

async function analyse(
  filters: ArrayLike<number>,
  source: ResultDocument['source'],
  options: AnalysisOptions,
  signal: AbortSignal,
  what: string,
  description: string,
): Promise<ResultDocument> {
  let doc: ResultDocument;
  try {
    doc = { ...(await analyzeFilters(filters, source, options, { signal })), description };
  } catch (e) {
    if (e instanceof AnalysisError || e instanceof DatasetError) throw new CliError(`${what}: ${e.message}`);
    if (e instanceof PersistenceTooLargeError) throw new CliError(`${what}: persistent homology: ${e.message}`);
    throw e;
  }
  const checked = validateResult(doc);
  if (!checked.ok) {
    throw new CliError(`internal error: ${what} fails the result schema at ${checked.field}: ${checked.message}`, 70);
  }
  return doc;
}

/**
 * Publishes the documents as versions of one link, remembering in DIR/published.json what went out, so a rerun
 * after a failure sends only the rest and never makes a second link.
 */
async function publishAll(dir: string, files: string[], server: string, say: (s: string) => void): Promise<void> {
  const base = serverUrl(server);
  const statePath = join(dir, PUBLISHED_FILE);
  let state: { server: string; id: string; token: string; files: string[] } | null = null;
  if (existsSync(statePath)) {
    try {
      state = JSON.parse(readFileSync(statePath, 'utf8'));
    } catch {
      throw new CliError(at(statePath, undefined, 'not valid JSON; delete it to publish as a new link'));
    }
    if (state && state.server !== base.origin) state = null;
  }
  for (const file of files) {
    if (state?.files.includes(file)) continue;
    const body = readFileSync(join(dir, file), 'utf8');
    if (!state) {
      const { body: reply } = await send(new URL('/api/results', base), body);
      state = { server: base.origin, id: String(reply.id), token: String(reply.token), files: [file] };
      say(`published ${file}: ${String(reply.url)} (owner token in ${statePath})`);
    } else {
      const { body: reply } = await send(new URL(`/api/results/${state.id}/versions`, base), body, state.token);
      state.files.push(file);
      say(`published ${file} as version ${String(reply.version)} of ${state.id}`);
    }
    writeAtomically(statePath, JSON.stringify(state, null, 1) + '\n', true);
  }
  // The link is the point of --publish: printed even with --quiet.
  if (state) process.stdout.write(`link: ${new URL(`/r/${state.id}`, base).href}\n`);
}

export const command: Command = {
  summary: "the paper's experiment end to end: many trainings, every snapshot analysed, the emergence table",
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        out: { type: 'string' },
        runs: { type: 'string' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        k: { type: 'string' },
        p: { type: 'string' },
        resamples: { type: 'string' },
        backend: { type: 'string' },
        init: { type: 'string' },
        ensemble: { type: 'string' },
        workers: { type: 'string' },
        partial: { type: 'boolean' },
        publish: { type: 'boolean' },
        server: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 1)
      throw new CliError(`expected one target (mnist, cifar10:PATH or photos:DIR)\nusage: ${usage}`, 2);
    const target = positionals[0]!;
    if (!values.out) throw new CliError(`--out DIR is required\nusage: ${usage}`, 2);
    const out = values.out;
    const isPhotos = target.startsWith('photos:');
    if (!isPhotos && target !== 'mnist' && !target.startsWith('cifar10:')) {
      throw new CliError(`'${target}' is not mnist, cifar10:PATH or photos:DIR`, 2);
    }
    const k = numberOption('k', values.k, isPhotos ? 300 : 50, { integer: true, min: 1, max: 100_000 });
    const p = numberOption('p', values.p, 30, { min: 0.001, max: 100 });
    // The trainings' documents carry the confidence of their verdict (runs resampled); photos keep one sample, as
    // their seeded document was made.
    const resamples = numberOption('resamples', values.resamples, isPhotos ? 0 : CLI_RESAMPLES, {
      integer: true,
      min: 0,
      max: MAX_RESAMPLES,
    });
    const seed = numberOption('seed', values.seed, 0, { integer: true, min: 0, max: 2 ** 31 - 1 });
    if (values.server !== undefined && !values.publish)
      throw new CliError('--server only makes sense with --publish', 2);
    const server = values.server ?? defaultServer();
    if (values.publish) serverUrl(server);
    const say = (line: string) => {
      if (!values.quiet) process.stdout.write(line + '\n');
    };
    const commandLine = ['kleinscope', 'reproduce', ...argv.filter((a) => a !== '--publish' && a !== '--quiet')].join(
      ' ',
    );
    // What made a document, for its description: the options that change results (not where it was written).
    const recipe = recipeOf(argv);
    const previous = readSummary(out);
    const abort = new AbortController();

    if (isPhotos) {
      for (const name of ['runs', 'steps', 'batch', 'lr', 'backend', 'init', 'ensemble', 'workers'] as const) {
        if (values[name] !== undefined)
          throw new CliError(`--${name} has no meaning for photos (nothing is trained)`, 2);
      }
      const dir = target.slice('photos:'.length);
      if (!dir) throw new CliError('photos:DIR needs the folder of the photographs', 2);
      const started = performance.now();
      const images = readPhotoFolder(dir);
      let patches: Float32Array;
      try {
        patches = highContrastPatches(images, { seed });
      } catch (e) {
        if (e instanceof DatasetError) throw new CliError(e.message);
        throw e;
      }
      mkdirSync(out, { recursive: true });
      const file = 'results/photos.json';
      let doc = readDocument(join(out, file), k, p);
      if (!doc) {
        say(`analysing ${patches.length / 9} high-contrast patches of ${images.length} photos as X(${k},${p}) ...`);
        doc = await analyse(
          patches,
          {
            kind: 'file',
            dataset: 'photographs',
            file: images
              .map((i) => (i.name ?? '').split('/').pop())
              .join(', ')
              .slice(0, 500),
          },
          { k, p, seed, title: `High-contrast 3x3 patches of ${images.length} photographs, X(${k},${p})` },
          abort.signal,
          dir,
          `Made by \`${recipe}\` (${file} of its --out folder).`,
        );
        writeAtomically(join(out, file), JSON.stringify(doc), true);
      }
      const rows = emergenceRows([doc]);
      const summary: ReproduceSummary = {
        format: SUMMARY_FORMAT,
        command: commandLine,
        target,
        dataset: 'photographs',
        architecture: null,
        runs: null,
        batchSize: null,
        snapshotSteps: [],
        analysis: { k: doc.preprocessing.k, p },
        seconds: { training: 0, analysis: (previous?.seconds.analysis ?? 0) + (performance.now() - started) / 1000 },
        results: [file],
        rows,
      };
      writeAtomically(join(out, SUMMARY_FILE), JSON.stringify(summary, null, 1) + '\n', true);
      process.stdout.write(formatEmergenceTable(rows) + '\n');
      if (values.publish) await publishAll(out, [file], server, say);
      return 0;
    }

    const snapshotSteps = parseSteps(values.steps);
    if (target.startsWith('cifar10:')) {
      // Checked here, before any worker starts, so a wrong path is one line and no folder is made.
      const path = target.slice('cifar10:'.length);
      if (!path) throw new CliError('cifar10:PATH needs the path of a batch file or of a folder of them', 2);
      if (!existsSync(path)) throw new CliError(`${path}: no such file or folder`, 2);
    }
    const runs = numberOption('runs', values.runs, 30, { integer: true, min: 1, max: 10_000 });
    const workers = numberOption('workers', values.workers, Math.min(runs, availableParallelism()), {
      integer: true,
      min: 1,
      max: 64,
    });
    const arch = target === 'mnist' ? 'mnist-paper' : 'cifar-paper';
    const trainArgs = [
      '--dataset',
      target,
      '--arch',
      arch,
      '--runs',
      String(runs),
      '--steps',
      String(snapshotSteps.at(-1)),
      '--snapshots',
      snapshotSteps.join(','),
      '--batch',
      values.batch ?? '64',
      '--lr',
      values.lr ?? '0.001',
      '--seed',
      String(seed),
      '--init',
      values.init ?? 'pytorch',
      ...(values.backend !== undefined ? ['--backend', values.backend] : []),
      ...(values.ensemble !== undefined ? ['--ensemble', values.ensemble] : []),
      ...(values.quiet ? ['--quiet'] : []),
    ];
    let trainingSeconds = previous?.seconds.training ?? 0;
    const complete = existsSync(join(out, 'manifest.json')) && readManifest(out).complete;
    // --partial analyses a copy of the manifest restricted to the finished runs; the training itself is untouched.
    const dir = values.partial && !complete ? writePartial(out, snapshotSteps) : out;
    if (!complete && !values.partial) {
      say(
        `training ${runs} runs of ${arch} to step ${snapshotSteps.at(-1)} (snapshots ${snapshotSteps.join(', ')}) in ${out}`,
      );
      const started = performance.now();
      // A folder trained in one process goes on in one process; otherwise the runs are shared among the workers.
      const single = workers === 1 || (existsSync(join(out, 'manifest.json')) && !existsSync(join(out, 'parts')));
      const code = single
        ? await trainCommand.run([...trainArgs, '--out', out])
        : await trainInParallel(process.argv[1]!, trainArgs, out, runs, workers, say);
      trainingSeconds += (performance.now() - started) / 1000;
      const partial = readSummary(out);
      writeAtomically(
        join(out, SUMMARY_FILE),
        JSON.stringify(
          {
            ...(partial ?? {}),
            format: SUMMARY_FORMAT,
            command: commandLine,
            target,
            seconds: { training: trainingSeconds, analysis: partial?.seconds?.analysis ?? 0 },
          },
          null,
          1,
        ) + '\n',
        true,
      );
      if (code !== 0) return code;
    }
    const manifest = readManifest(dir);
    if ((dir === out && manifest.runs !== runs) || manifest.datasetArg !== target) {
      throw new CliError(
        `--out ${out}: holds a different training (${manifest.runs} runs of ${manifest.datasetArg}); choose another folder`,
      );
    }
    const layers = manifest.architecture.conv.length;
    const accuracy = meanAccuracyByStep(manifest.snapshots);

    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const docs: ResultDocument[] = [];
    const files: string[] = [];
    let analysisSeconds = dir === out ? (previous?.seconds.analysis ?? 0) : 0;
    try {
      for (const step of snapshotSteps) {
        for (let layer = 1; layer <= layers; layer++) {
          const file = resultPath(step, layer);
          let doc = readDocument(join(dir, file), k, p);
          if (!doc) {
            const started = performance.now();
            const { filters, source } = loadSnapshotDir(dir, { layer, step });
            say(
              `analysing step ${step}, layer ${layer}: ${filters.length / 9} filters of ${source.runs} runs, X(${k},${p}) ...`,
            );
            doc = await analyse(
              filters,
              source,
              {
                k,
                p,
                resamples,
                seed: 1,
                title: `${manifest.dataset} ${manifest.architecture.name}, layer ${layer} at step ${step} (${source.runs} runs)`,
              },
              abort.signal,
              `step ${step}, layer ${layer}`,
              `Made by \`${recipe}\` (${file} of its --out folder).`,
            );
            writeAtomically(join(dir, file), JSON.stringify(doc), true);
            analysisSeconds += (performance.now() - started) / 1000;
          }
          docs.push(doc);
          files.push(file);
        }
      }
    } catch (e) {
      if (abort.signal.aborted) {
        process.stderr.write('kleinscope reproduce: interrupted; rerun the same command to resume\n');
        return 130;
      }
      throw e;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const rows = emergenceRows(docs, (step) => accuracy.get(step) ?? null);
    const summary: ReproduceSummary = {
      format: SUMMARY_FORMAT,
      command: commandLine,
      target,
      dataset: manifest.dataset,
      architecture: manifest.architecture.name,
      runs: manifest.runs,
      batchSize: manifest.batchSize,
      snapshotSteps,
      analysis: { k, p },
      seconds: { training: Math.round(trainingSeconds), analysis: Math.round(analysisSeconds) },
      results: files,
      rows,
    };
    writeAtomically(join(dir, SUMMARY_FILE), JSON.stringify(summary, null, 1) + '\n', true);
    process.stdout.write(
      `\nemergence of the primary circle: ${manifest.runs}${dir === out ? '' : ` of ${runs}`} runs of ${manifest.architecture.name}, core X(${k},${p})\n`,
    );
    process.stdout.write(formatEmergenceTable(rows) + '\n');
    process.stdout.write(
      `training ${(trainingSeconds / 60).toFixed(1)} min, analysis ${(analysisSeconds / 60).toFixed(1)} min; ` +
        `summary ${join(dir, SUMMARY_FILE)}\n`,
    );
    if (values.publish) await publishAll(dir, files, server, say);
    return 0;
  },
};

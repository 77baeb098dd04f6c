/**
 * `kleinscope reproduce mnist` and `cifar10:PATH`: many trainings of the paper's net (through trainRuns, so --out
 * is an ordinary training folder that `kleinscope analyze DIR --layer L --step S` reads), every snapshot of every
 * conv layer analysed, and the emergence table of figure 5. Every stage resumes: training from its checkpoints,
 * analysis by skipping the documents already written.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { numberOption } from '../args';
import { CliError } from '../errors';
import { parseAdamForm, parseBackend, parseInit, parseSampling } from '../trainRuns';
import { PAPER_TRAINING } from '../../lib/nn/paperPreset';
import { trainFolder } from '../parallelTraining';
import { mergedManifest } from '../trainingFolder';
import { loadSnapshotDir, readManifest } from '../inputs/snapshotDir';
import { manifestSchema } from '../../lib/nn/manifest';
import { emergenceRows, formatEmergenceTable, meanAccuracyByStep } from '../../lib/analysis/emergence';
import type { ResultDocument } from '../../lib/result/schema';
import { writeAtomically } from '../atomicWrite';
import {
  analyse,
  readDocument,
  readSummary,
  SUMMARY_FILE,
  SUMMARY_FORMAT,
  type Reproduction,
  type ReproduceSummary,
} from './common';

/** The paper's net for a trained source; a CIFAR-10 path is checked before any worker starts, so a wrong one is one line and no folder is made. */
function trainedSource(target: string): 'mnist-paper' | 'cifar-paper' {
  if (target === 'mnist') return 'mnist-paper';
  const path = target.slice('cifar10:'.length);
  if (!path) throw new CliError('cifar10:PATH needs the path of a batch file or of a folder of them', 2);
  if (!existsSync(path)) throw new CliError(`${path}: no such file or folder`, 2);
  return 'cifar-paper';
}

/**
 * A training folder of the runs of `out` that have reached every snapshot step so far, as out/partial-N (N runs),
 * its kernel files named in place: the emergence table of a training still under way, or stopped early.
 */
function writePartial(out: string, steps: number[]): string {
  // manifest.json with what the processes still training have recorded since.
  const whole = existsSync(out) ? mergedManifest(out) : null;
  if (!whole) throw new CliError(`--partial: ${out} holds no training yet`);
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

export async function reproduceTraining(r: Reproduction): Promise<number> {
  const { target, out, k, p, seed, flags, commandLine, recipe, previous, abort, say } = r;
  const snapshotSteps = parseSteps(flags.steps);
  const arch = trainedSource(target);
  const runs = numberOption('runs', flags.runs, 30, { integer: true, min: 1, max: 10_000 });
  const workers = numberOption('workers', flags.workers, Math.min(runs, availableParallelism()), {
    integer: true,
    min: 1,
    max: 64,
  });
  const training = {
    dataset: target,
    arch,
    runs,
    steps: snapshotSteps.at(-1)!,
    snapshots: snapshotSteps,
    batchSize: numberOption('batch', flags.batch, 64, { integer: true, min: 1, max: 65_536 }),
    learningRate: numberOption('lr', flags.lr, 1e-3, { min: 1e-8, max: 1 }),
    adamEpsilon: numberOption('adam-epsilon', flags['adam-epsilon'], PAPER_TRAINING.adamEpsilon, {
      min: 1e-12,
      max: 0.1,
    }),
    adamForm: parseAdamForm(flags['adam-form'], PAPER_TRAINING.adamForm),
    sampling: parseSampling(flags.sampling, PAPER_TRAINING.sampling),
    seed,
    init: parseInit(flags.init ?? 'pytorch', snapshotSteps),
    backend: parseBackend(flags.backend),
    ensemble: numberOption('ensemble', flags.ensemble, 1, { integer: true, min: 1, max: 1024 }),
    evalSize: 1000,
  };
  let trainingSeconds = previous?.seconds.training ?? 0;
  const complete = existsSync(join(out, 'manifest.json')) && readManifest(out).complete;
  // --partial analyses a copy of the manifest restricted to the finished runs; the training itself is untouched.
  const dir = flags.partial && !complete ? writePartial(out, snapshotSteps) : out;
  if (!complete && !flags.partial) {
    say(
      `training ${runs} runs of ${arch} to step ${snapshotSteps.at(-1)} (snapshots ${snapshotSteps.join(', ')}) in ${out}`,
    );
    const started = performance.now();
    const code = await trainFolder({ ...training, out, say }, { workers, cli: process.argv[1]!, quiet: !!flags.quiet });
    if (code === 130) process.stderr.write('kleinscope reproduce: interrupted; rerun the same command to resume\n');
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
              resamples: r.resamples,
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
  await r.publish(dir, files);
  return 0;
}

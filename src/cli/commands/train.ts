import type { Command } from '../command';
import { parse, numberOption } from '../args';
import { CliError } from '../errors';
import { availableParallelism } from 'node:os';
import { parseAdamForm, parseBackend, parseInit, parseSampling, trainRuns, type TrainRunsConfig } from '../trainRuns';
import { KERAS_ADAM } from '../../lib/nn/ensembleModel';
import { trainFolder } from '../parallelTraining';

const usage =
  'kleinscope train --dataset mnist|cifar10:PATH --arch mnist-paper|cifar-paper|custom:F1,F2 --runs N --steps S ' +
  '--batch B --snapshots a,b,c --seed X --out DIR [--lr R] [--adam-epsilon E] [--adam-form keras|pytorch] [--sampling without-replacement|with-replacement] [--ensemble K] [--eval N] [--backend wasm|cpu] [--init glorot|pytorch] [--workers W] [--run-range A:B] [--quiet]\n' +
  '  --adam-epsilon E  Adam epsilon (default 1e-7, Keras/tfjs; PyTorch: 1e-8)\n' +
  '  --adam-form F     where epsilon enters the step: keras (default; added to sqrt(v)) or pytorch (to the bias-corrected sqrt(v))\n' +
  '  --sampling S      batches drawn without-replacement (default; a permutation per epoch) or with-replacement\n' +
  '  --workers W       training processes (default: one per core); each trains its share of the runs';

function parseSnapshots(raw: string | undefined, steps: number): number[] {
  if (raw === undefined) return [steps];
  return raw.split(',').map((s) => {
    const t = s.trim();
    if (!/^\d+$/.test(t)) throw new CliError(`--snapshots: '${s}' is not a step number (use e.g. 100,500,1000)`, 2);
    const v = Number(t);
    if (v > steps) throw new CliError(`--snapshots: step ${v} is after the last step (--steps ${steps})`, 2);
    return v;
  });
}

/** `A:B`: this process trains only runs A..B-1 of the N-run training (the others run elsewhere, in parallel). */
function parseRunRange(raw: string | undefined, runs: number): [number, number] | null {
  if (raw === undefined) return null;
  const m = /^(\d+):(\d+)$/.exec(raw.trim());
  if (!m) throw new CliError(`--run-range: '${raw}' is not A:B (runs A to B-1, counting from 0)`, 2);
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (!(a < b && b <= runs)) throw new CliError(`--run-range: ${raw} is not a non-empty range within 0:${runs}`, 2);
  return [a, b];
}

export const command: Command = {
  summary: 'train CNNs (WebAssembly backend by default) and write their conv kernels at snapshot steps',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        dataset: { type: 'string' },
        arch: { type: 'string' },
        runs: { type: 'string' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        snapshots: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        lr: { type: 'string' },
        'adam-epsilon': { type: 'string' },
        'adam-form': { type: 'string' },
        sampling: { type: 'string' },
        ensemble: { type: 'string' },
        eval: { type: 'string' },
        backend: { type: 'string' },
        init: { type: 'string' },
        workers: { type: 'string' },
        'run-range': { type: 'string' },
        quiet: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length) throw new CliError(`unexpected argument '${positionals[0]}'\nusage: ${usage}`, 2);
    if (!values.out) throw new CliError(`--out DIR is required\nusage: ${usage}`, 2);
    const runs = numberOption('runs', values.runs, 1, { integer: true, min: 1, max: 10_000 });
    const steps = numberOption('steps', values.steps, 1000, { integer: true, min: 0, max: 10_000_000 });
    const batchSize = numberOption('batch', values.batch, 64, { integer: true, min: 1, max: 65_536 });
    const seed = numberOption('seed', values.seed, 0, { integer: true, min: 0, max: 2 ** 32 - 1 });
    const learningRate = numberOption('lr', values.lr, 1e-3, { min: 1e-8, max: 1 });
    const adamEpsilon = numberOption('adam-epsilon', values['adam-epsilon'], KERAS_ADAM.epsilon, {
      min: 1e-12,
      max: 0.1,
    });
    const adamForm = parseAdamForm(values['adam-form'], KERAS_ADAM.form);
    const sampling = parseSampling(values.sampling, 'without-replacement');
    const ensemble = numberOption('ensemble', values.ensemble, 1, { integer: true, min: 1, max: 1024 });
    const evalRequested = numberOption('eval', values.eval, 1000, { integer: true, min: 1 });
    const snapshots = parseSnapshots(values.snapshots, steps);
    const wanted = parseBackend(values.backend);
    const init = parseInit(values.init, snapshots);
    const runRange = parseRunRange(values['run-range'], runs);
    // One process per core by default: tfjs's wasm backend trains on one core in Node.
    const workers = numberOption('workers', values.workers, availableParallelism(), {
      integer: true,
      min: 1,
      max: 256,
    });
    const run: Omit<TrainRunsConfig, 'runRange'> = {
      dataset: values.dataset ?? 'mnist',
      arch: values.arch ?? 'mnist-paper',
      runs,
      steps,
      batchSize,
      snapshots,
      seed,
      learningRate,
      adamEpsilon,
      adamForm,
      sampling,
      ensemble,
      evalSize: evalRequested,
      backend: wanted,
      init,
      out: values.out,
      say: (line) => {
        if (!values.quiet) process.stdout.write(line + '\n');
      },
    };
    // A --run-range process is one part of a training that another `kleinscope train` shares out.
    const code = runRange
      ? (await trainRuns({ ...run, runRange })).completed
        ? 0
        : 130
      : await trainFolder(run, { workers, cli: process.argv[1]!, quiet: !!values.quiet });
    // A part's interruption is reported once, by the command that started it.
    if (code === 130 && !runRange) {
      process.stderr.write(`kleinscope train: interrupted; rerun the same command to resume from the last snapshot\n`);
    }
    return code;
  },
};

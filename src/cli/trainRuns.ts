/**
 * One training of N runs into a folder (its manifest, kernels at the snapshot steps, checkpoints to resume from):
 * what `kleinscope train` does with its flags and `kleinscope reproduce` with the paper's settings. A library
 * function with a typed config, not a command line; only the worker processes of a parallel training get argv
 * (`trainArgv`), because they are separate `kleinscope train` processes.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CliError } from './errors';
import { selectBackend, type BackendName } from '../lib/nn/backends';
import { customArchitecture, getArchitecture, ArchitectureError, type Architecture } from '../lib/nn/architectures';
import { DatasetError, type Dataset } from '../lib/nn/datasets/dataset';
import { cifar10Dataset } from '../lib/nn/datasets/cifar10';
import { loadMnistNode } from '../lib/nn/datasets/mnistNode';
import { train, normaliseConfig, TrainingConfigError, type Checkpoint, type TrainConfig } from '../lib/nn/training';
import { encodeNpy } from '../lib/nn/npy';
import { decodeCheckpoint, encodeCheckpoint, CheckpointFileError } from '../lib/nn/checkpointFile';
import { isInitialisation, startCheckpoint, type Initialisation } from '../lib/nn/initialisation';
import { MANIFEST_FORMAT, kernelPath, checkpointPath, type Manifest } from '../lib/nn/manifest';
import { ADAM_FORMS, type AdamForm } from '../lib/nn/ensembleModel';
import { isSampling, SAMPLINGS, type Sampling } from '../lib/nn/sampler';
import { partManifestPath, readManifestFile, sameTraining } from './trainingFolder';
import { writeAtomically } from './atomicWrite';

export interface TrainRunsConfig {
  /** `mnist` or `cifar10:PATH`, as the manifest records it. */
  dataset: string;
  /** `mnist-paper`, `cifar-paper` or `custom:F1,F2`. */
  arch: string;
  runs: number;
  steps: number;
  batchSize: number;
  /** Steps whose kernels are written, none after `steps`. */
  snapshots: number[];
  seed: number;
  learningRate: number;
  /** Adam's epsilon and where it enters the step (ensembleModel.ts). */
  adamEpsilon: number;
  adamForm: AdamForm;
  sampling: Sampling;
  ensemble: number;
  /** Test images for each snapshot's accuracy. */
  evalSize: number;
  backend: BackendName;
  init: Initialisation;
  /** Train only runs A..B-1 of the N (the others train elsewhere, in parallel); null for all. */
  runRange: [number, number] | null;
  out: string;
  /** Progress lines (one per snapshot, and the summary). */
  say: (line: string) => void;
}

/** The `kleinscope train` flags of a training, for a worker process (which adds its --run-range and --out). */
export function trainArgv(c: Omit<TrainRunsConfig, 'runRange' | 'out' | 'say'>, quiet: boolean): string[] {
  return [
    '--dataset',
    c.dataset,
    '--arch',
    c.arch,
    '--runs',
    String(c.runs),
    '--steps',
    String(c.steps),
    '--snapshots',
    c.snapshots.join(','),
    '--batch',
    String(c.batchSize),
    '--lr',
    String(c.learningRate),
    '--adam-epsilon',
    String(c.adamEpsilon),
    '--adam-form',
    c.adamForm,
    '--sampling',
    c.sampling,
    '--seed',
    String(c.seed),
    '--init',
    c.init,
    '--backend',
    c.backend,
    '--ensemble',
    String(c.ensemble),
    '--eval',
    String(c.evalSize),
    ...(quiet ? ['--quiet'] : []),
  ];
}

function loadDataset(arg: string): Dataset {
  if (arg === 'mnist') return loadMnistNode();
  if (arg.startsWith('cifar10:')) {
    const path = arg.slice('cifar10:'.length);
    if (!path) throw new CliError('--dataset cifar10:PATH needs the path of a batch file or of a folder of them', 2);
    let files: string[];
    try {
      files = statSync(path).isDirectory()
        ? readdirSync(path)
            .filter((f) => /^(data_batch_\d+|test_batch)\.bin$/.test(f))
            .sort()
            .map((f) => join(path, f))
        : [path];
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(`${path}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot read (${code ?? e})`}`);
    }
    if (files.length === 0) throw new CliError(`${path}: no data_batch_N.bin or test_batch.bin in this folder`);
    try {
      return cifar10Dataset(files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(f)) })));
    } catch (e) {
      if (e instanceof DatasetError) throw new CliError(e.message);
      throw new CliError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  }
  throw new CliError(`--dataset: unknown dataset '${arg}'; use mnist or cifar10:PATH`, 2);
}

function loadArchitecture(arg: string, dataset: Dataset): Architecture {
  try {
    if (arg.startsWith('custom:')) {
      const conv = arg
        .slice('custom:'.length)
        .split(',')
        .map((f) => {
          if (!/^\d+$/.test(f.trim())) throw new CliError(`--arch: '${f}' in '${arg}' is not a filter count`, 2);
          return Number(f);
        });
      return customArchitecture({ conv, inputShape: dataset.inputShape, classes: dataset.classes });
    }
    return getArchitecture(arg);
  } catch (e) {
    if (e instanceof ArchitectureError) throw new CliError(`--arch: ${e.message}`, 2);
    throw e;
  }
}

/** Node has two backends: wasm (XNNPACK, the default, many times faster) and the plain JavaScript cpu one. */
export function parseBackend(raw: string | undefined): BackendName {
  const name = raw ?? 'wasm';
  if (name !== 'wasm' && name !== 'cpu') throw new CliError(`--backend: '${name}' is not wasm or cpu`, 2);
  return name;
}

export function parseInit(raw: string | undefined, snapshots: number[]): Initialisation {
  const name = raw ?? 'glorot';
  if (!isInitialisation(name)) throw new CliError(`--init: '${name}' is not glorot or pytorch`, 2);
  // train() reports a step-0 snapshot only for a run it initialised itself.
  if (name !== 'glorot' && snapshots.includes(0)) {
    throw new CliError(`--snapshots: step 0 is not recorded with --init ${name}; start the schedule at step 1`, 2);
  }
  return name;
}

export function parseAdamForm(raw: string | undefined, fallback: AdamForm): AdamForm {
  const name = raw ?? fallback;
  if (!(ADAM_FORMS as readonly string[]).includes(name)) {
    throw new CliError(`--adam-form: '${name}' is not ${ADAM_FORMS.join(' or ')}`, 2);
  }
  return name as AdamForm;
}

export function parseSampling(raw: string | undefined, fallback: Sampling): Sampling {
  const name = raw ?? fallback;
  if (!isSampling(name)) throw new CliError(`--sampling: '${name}' is not ${SAMPLINGS.join(' or ')}`, 2);
  return name;
}

/** Creates --out and proves it writable before any training, so a bad folder fails in a second, not an hour. */
function prepareOut(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`--out ${dir}: cannot write there (${code ?? (e as Error).message})`);
  }
}

/**
 * The training `out` holds already: for a whole training its manifest.json; for a part, its own record or else
 * manifest.json (the runs trained before, by any number of processes). A folder with other files is refused.
 */
function readExisting(out: string, runRange: [number, number] | null): Manifest | null {
  const own = runRange ? join(out, partManifestPath(runRange)) : null;
  if (own && existsSync(own)) return readManifestFile(own);
  const path = join(out, 'manifest.json');
  if (existsSync(path)) return readManifestFile(path);
  // A part shares the folder with the other processes; the command that started them checked it.
  const stray = runRange ? [] : readdirSync(out).filter((f) => !f.startsWith('.'));
  if (stray.length) throw new CliError(`--out ${out}: the folder is not empty and holds no training (manifest.json)`);
  return null;
}

interface Prepared {
  config: TrainConfig;
  /** The manifest to write, its snapshots those already trained (of its runs, for a part). */
  manifest: Manifest;
  /** Whether `out` held some of this training already. */
  resuming: boolean;
}

/**
 * Every check that needs no backend: the dataset, the architecture and the schedule load, `out` is writable and
 * is empty or holds this same unfinished training. Bad input throws a one-line CliError before anything trains.
 */
function prepare(run: TrainRunsConfig, backend: BackendName): Prepared {
  const { runs, steps, batchSize, snapshots, seed, learningRate, ensemble, init, runRange, out } = run;
  const { adamEpsilon, adamForm, sampling } = run;
  const datasetArg = run.dataset;
  const dataset = loadDataset(datasetArg);
  const arch = loadArchitecture(run.arch, dataset);
  const config: TrainConfig = {
    arch,
    dataset,
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
    evalSize: run.evalSize,
    progressEvery: 50,
  };
  let normal: ReturnType<typeof normaliseConfig>;
  try {
    normal = normaliseConfig(config);
  } catch (e) {
    if (e instanceof TrainingConfigError) throw new CliError(e.message, 2);
    throw e;
  }
  prepareOut(out);
  const now = new Date().toISOString();
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    complete: false,
    createdAt: now,
    updatedAt: now,
    backend,
    backends: [backend],
    dataset: dataset.name,
    datasetArg,
    architecture: arch,
    runs,
    steps,
    batchSize,
    learningRate,
    adamEpsilon,
    adamForm,
    sampling,
    seed,
    evalSize: normal.evalSize,
    snapshotSteps: normal.snapshots,
    ...(init !== 'glorot' ? { init } : {}),
    ...(runRange ? { runRange } : {}),
    snapshots: [],
  };
  const existing = readExisting(out, runRange);
  if (!existing) return { config, manifest, resuming: false };
  if (!sameTraining(existing, manifest)) {
    throw new CliError(`--out ${out}: holds a different training (manifest.json); choose another folder`);
  }
  if (existing.complete && !(runRange && existing.runRange)) {
    throw new CliError(`--out ${out}: this training is already complete`);
  }
  manifest.createdAt = existing.createdAt;
  // A checkpoint is plain float32 data, so a run may continue on another backend; the manifest keeps both.
  const before = existing.backends ?? [existing.backend];
  manifest.backends = before.includes(backend) ? before : [...before, backend];
  manifest.snapshots = runRange
    ? existing.snapshots.filter((s) => s.run >= runRange[0] && s.run < runRange[1])
    : existing.snapshots;
  return { config, manifest, resuming: true };
}

/** Throws what `trainRuns` would throw on bad input, without training: for a command that starts processes. */
export function checkTraining(run: TrainRunsConfig): void {
  prepare(run, run.backend);
}

/**
 * Trains (or resumes) the runs of `run` into `run.out`. Resolves with completed: false when SIGINT/SIGTERM stopped
 * it (every snapshot so far is written; the same call resumes); bad input throws a one-line CliError. With a
 * `runRange` it is one part of a training shared among processes: it trains those runs into the same folder and
 * records them in its own parts/ file (see trainingFolder.ts).
 */
export async function trainRuns(run: TrainRunsConfig): Promise<{ completed: boolean }> {
  const { runs, steps, seed, backend: wanted, init, runRange, out } = run;
  const { config, manifest, resuming } = prepare(run, wanted);
  const arch = config.arch;
  const choice = await selectBackend([wanted]);
  if (choice.name !== wanted) throw new CliError(`--backend ${wanted}: could not start (${choice.reason})`);
  const backend = choice.name;
  const [first, end] = runRange ?? [0, runs];

  const resume: Checkpoint[] = [];
  if (resuming) {
    for (let r = first; r < end; r++) {
      const path = join(out, checkpointPath(r));
      if (!existsSync(path)) continue;
      try {
        resume.push(decodeCheckpoint(new Uint8Array(readFileSync(path)), path));
      } catch (e) {
        if (e instanceof CheckpointFileError) throw new CliError(`${e.message}; delete it to restart run ${r}`);
        throw e;
      }
    }
    const at = resume.length ? Math.min(...resume.map((c) => c.step)) : 0;
    const which = runRange ? `runs ${first}-${end - 1} of ${out}` : out;
    process.stderr.write(
      `resuming ${which}: ${resume.length} of ${end - first} runs have checkpoints (earliest step ${at})\n`,
    );
  }

  // Glorot is train()'s own start; any other start is handed over as each fresh run's step-0 checkpoint.
  if (init !== 'glorot') {
    for (let r = first; r < end; r++) {
      if (!resume.some((c) => c.run === r)) resume.push(startCheckpoint(arch, seed, r, init));
    }
  }

  // Runs outside --run-range are handed over as already finished, which train() skips; they train elsewhere.
  // Its parameters are never used: a run at its last step is only skipped.
  for (let r = 0; r < runs; r++) {
    if (r < first || r >= end) resume.push({ ...startCheckpoint(arch, seed, r, 'pytorch'), step: steps });
  }

  const manifestFile = join(out, runRange ? partManifestPath(runRange) : 'manifest.json');
  const saveManifest = () => {
    manifest.updatedAt = new Date().toISOString();
    manifest.snapshots.sort((a, b) => a.run - b.run || a.step - b.step);
    writeAtomically(manifestFile, JSON.stringify(manifest, null, 1) + '\n', true);
  };
  saveManifest();

  const abort = new AbortController();
  // `on`, not `once`: Ctrl-C in a terminal reaches a part both from the terminal and from the process that
  // started it, and the second must not kill it halfway through its last step.
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result;
  try {
    result = await train(config, {
      signal: abort.signal,
      resume,
      onSnapshot(s) {
        const kernels = s.kernels.map((k) => {
          const file = kernelPath(s.run, s.step, k.layer);
          writeAtomically(join(out, file), encodeNpy(k.data, k.shape), true);
          return { layer: k.layer, shape: k.shape, file };
        });
        manifest.snapshots = manifest.snapshots.filter((e) => !(e.run === s.run && e.step === s.step));
        manifest.snapshots.push({
          run: s.run,
          seed: s.seed,
          step: s.step,
          loss: Number.isFinite(s.loss) ? s.loss : null,
          accuracy: s.accuracy,
          kernels,
        });
        saveManifest();
        run.say(
          `run ${s.run} step ${s.step}: loss ${Number.isFinite(s.loss) ? s.loss.toFixed(4) : '-'}, test accuracy ${s.accuracy.toFixed(4)}`,
        );
      },
      onCheckpoint(c) {
        writeAtomically(join(out, checkpointPath(c.run)), encodeCheckpoint(c), true);
      },
    });
  } catch (e) {
    if (e instanceof TrainingConfigError) throw new CliError(e.message);
    if ((e as NodeJS.ErrnoException).code) {
      throw new CliError(
        `--out ${out}: write failed (${(e as NodeJS.ErrnoException).code}); rerun the same command to resume`,
      );
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (!result.completed) return { completed: false };
  manifest.complete = true;
  saveManifest();
  const rate = result.elapsedMs > 0 ? (result.runSteps / result.elapsedMs) * 1000 : 0;
  const speed = `${rate.toFixed(2)} steps/s on ${backend}, ${basename(out)}`;
  // A part's record is folded into manifest.json by the command that started it, so its line names no file.
  run.say(
    runRange
      ? `done: ${manifest.snapshots.length} snapshots of runs ${first}-${end - 1} (${speed})`
      : `wrote ${manifest.snapshots.length} snapshots of ${runs} run(s) to ${manifestFile} (${speed})`,
  );
  return { completed: true };
}

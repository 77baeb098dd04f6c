/**
 * `kleinscope analyze DIR --layer L --step S`: reads a `kleinscope train` folder and pools conv layer L's 3x3
 * spatial filters at step S over every run (the paper's pooled trainings). Errors are one line naming the file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, at } from '../errors';
import { manifestSchema, type Manifest } from '../../lib/nn/manifest';
import { decodeNpy, NpyError } from '../../lib/nn/npy';
import { writeSpatialFilters } from '../../lib/nn/kernels';
import type { Source } from '../../lib/result/schema';
import type { InputLoader } from './loader';

export interface SnapshotDirInput {
  /** n*9 floats, row-major 3x3 filters, run by run. */
  filters: Float32Array;
  n: number;
  source: Source;
  manifest: Manifest;
}

/** True when `path` is a folder written by `kleinscope train` (it has a manifest.json). */
export function isSnapshotDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, 'manifest.json'));
  } catch {
    return false;
  }
}

export function readManifest(dir: string): Manifest {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      at(
        path,
        undefined,
        code === 'ENOENT' ? 'no such file: is this a kleinscope train folder?' : `cannot read (${code})`,
      ),
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CliError(at(path, undefined, `not valid JSON (${(e as Error).message})`));
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(at(path, undefined, `field '${issue.path.join('.')}': ${issue.message}`));
  }
  return parsed.data;
}

/**
 * Pools layer `layer` (from 1) at step `step` over all runs that have it. Without a step, the last snapshot step
 * that every run reached is used.
 */
export function loadSnapshotDir(dir: string, options: { layer: number; step?: number }): SnapshotDirInput {
  const manifest = readManifest(dir);
  const { layer } = options;
  const layers = manifest.architecture.conv.length;
  if (!Number.isInteger(layer) || layer < 1 || layer > layers) {
    throw new CliError(`--layer ${layer}: ${manifest.architecture.name} has conv layers 1 to ${layers}`, 2);
  }
  const steps = [...new Set(manifest.snapshots.map((s) => s.step))].sort((a, b) => a - b);
  const full = steps.filter((s) => manifest.snapshots.filter((e) => e.step === s).length === manifest.runs);
  const step = options.step ?? full.at(-1) ?? steps.at(-1);
  if (step === undefined) throw new CliError(at(join(dir, 'manifest.json'), undefined, 'no snapshots yet'));
  const entries = manifest.snapshots.filter((s) => s.step === step);
  if (entries.length === 0) {
    throw new CliError(`--step ${step}: no snapshot at that step; ${dir} has steps ${steps.join(', ') || '(none)'}`, 2);
  }
  const kernels = entries.map((e) => {
    const k = e.kernels.find((q) => q.layer === layer);
    if (!k)
      throw new CliError(
        at(join(dir, 'manifest.json'), undefined, `run ${e.run} step ${step} lists no conv${layer} kernel`),
      );
    const path = join(dir, k.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new CliError(at(path, undefined, `cannot read (${(e as NodeJS.ErrnoException).code ?? e})`));
    }
    try {
      const { shape, data } = decodeNpy(bytes);
      const same = shape.length === 4 && shape.every((d, i) => d === k.shape[i]);
      if (!same) throw new CliError(at(path, undefined, `shape (${shape}) differs from the manifest's (${k.shape})`));
      return { shape: shape as [number, number, number, number], data };
    } catch (e) {
      if (e instanceof NpyError) throw new CliError(at(path, undefined, e.message));
      throw e;
    }
  });
  const n = kernels.reduce((s, k) => s + k.shape[2] * k.shape[3], 0);
  const filters = new Float32Array(n * 9);
  let offset = 0;
  for (const k of kernels) offset = writeSpatialFilters(k, filters, offset);
  return {
    filters,
    n,
    manifest,
    source: {
      kind: 'training',
      dataset: manifest.dataset,
      architecture: manifest.architecture.name,
      runs: entries.length,
      step,
      layer,
      kernelShape: kernels[0].shape,
    },
  };
}

export const snapshotDirLoader: InputLoader = {
  name: 'a kleinscope train folder (with --layer L [--step S])',
  matches: (path, stat) => stat.isDirectory() && isSnapshotDir(path),
  async load(path, options) {
    if (options.layer === undefined) {
      throw new CliError(`${path}: a training folder: pick a conv layer with --layer L (from 1)`, 2);
    }
    const { filters, source } = loadSnapshotDir(path, { layer: options.layer, step: options.step });
    return { filters, source };
  },
};

/**
 * Input loaders for `kleinscope analyze`: each recognises one kind of INPUT and turns it into filters plus the
 * source record of the result document. The first loader that matches wins, so list specific loaders (a training
 * folder, a model.json) before general ones (any CSV/JSON/.npy file).
 */
import { openSync, readSync, closeSync, statSync, type Stats } from 'node:fs';
import { CliError, at } from '../errors';
import type { Source } from '../../lib/result/schema';
import { filterFileLoader } from './filterFile';
import { tfjsModelLoader } from './tfjsModel';
import { snapshotDirLoader } from './snapshotDir';

export interface LoadOptions {
  layer?: number;
  step?: number;
  /** Models: most filters to take from the layer (a seeded subsample above it), and the seed. */
  maxFilters?: number;
  seed?: number;
}

export interface LoadedFilters {
  /** n*9 numbers, each 3x3 filter row-major. */
  filters: Float64Array | Float32Array;
  source: Source;
  /** A subsampled input: the same subsample drawn with another seed (the confidence resamples the whole layer). */
  redraw?: (seed: number) => Promise<Float64Array | Float32Array>;
}

export interface InputLoader {
  name: string;
  /** head: the first bytes of a file (empty for a folder). */
  matches(path: string, stat: Stats, head: Uint8Array): boolean;
  load(path: string, options: LoadOptions): Promise<LoadedFilters>;
}

export const loaders: InputLoader[] = [snapshotDirLoader, tfjsModelLoader, filterFileLoader];

function readHead(path: string, stat: Stats): Uint8Array {
  if (!stat.isFile()) return new Uint8Array(0);
  const head = new Uint8Array(512);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } catch (e) {
    throw new CliError(at(path, undefined, `cannot read (${(e as NodeJS.ErrnoException).code ?? e})`));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The loader for INPUT, or a one-line error saying what INPUT may be. */
export function findLoader(path: string): InputLoader {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(at(path, undefined, code === 'ENOENT' ? 'no such file or folder' : `cannot read (${code})`));
  }
  const head = readHead(path, stat);
  const loader = loaders.find((l) => l.matches(path, stat, head));
  if (!loader)
    throw new CliError(at(path, undefined, `not a recognised input (${loaders.map((l) => l.name).join(', ')})`));
  return loader;
}

/** `kleinscope reproduce photos:DIR`: the 2008 natural-patches analysis. Nothing is trained; one document. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors';
import { readPhotoFolder } from '../inputs/photos';
import { emergenceRows, formatEmergenceTable } from '../../lib/analysis/emergence';
import { highContrastPatches } from '../../lib/nn/datasets/patches';
import { DatasetError } from '../../lib/nn/datasets/dataset';
import { writeAtomically } from '../atomicWrite';
import { publicFileName } from '../../lib/result/sourceFile';
import {
  analyse,
  readDocument,
  SUMMARY_FILE,
  SUMMARY_FORMAT,
  type Reproduction,
  type ReproduceSummary,
} from './common';

export async function reproducePhotos(r: Reproduction): Promise<number> {
  const { target, out, k, p, seed, flags, commandLine, recipe, previous, abort, say } = r;
  for (const name of [
    'runs',
    'steps',
    'batch',
    'lr',
    'adam-epsilon',
    'adam-form',
    'sampling',
    'backend',
    'init',
    'ensemble',
    'workers',
  ] as const) {
    if (flags[name] !== undefined) throw new CliError(`--${name} has no meaning for photos (nothing is trained)`, 2);
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
          .map((i) => publicFileName(i.name ?? ''))
          .join(', ')
          .slice(0, 500),
      },
      {
        k,
        p,
        resamples: r.resamples,
        seed,
        title: `High-contrast 3x3 patches of ${images.length} photographs, X(${k},${p})`,
      },
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
  await r.publish(out, [file]);
  return 0;
}

/**
 * `kleinscope reproduce`: the paper's experiment end to end. The trained sources (mnist, cifar10:PATH) are in
 * reproduce/training.ts, the 2008 natural-patches analysis (photos:DIR) in reproduce/photos.ts; this file reads the
 * command line and hands it to one of them.
 */
import type { Command } from '../command';
import { parse, numberOption } from '../args';
import { CliError } from '../errors';
import { defaultServer, serverUrl } from '../server';
import { readSummary, recipeOf, type Reproduction } from '../reproduce/common';
import { publishAll } from '../reproduce/publish';
import { reproducePhotos } from '../reproduce/photos';
import { reproduceTraining } from '../reproduce/training';
import { MAX_RESAMPLES } from '../../lib/analysis/options';
import { CLI_RESAMPLES } from '../../lib/analysis/verdict';

const usage =
  'kleinscope reproduce mnist|cifar10:PATH|photos:DIR --out DIR [--runs 30] [--steps 100,200,400,800] [--batch 64] ' +
  '[--lr 0.001] [--adam-epsilon 1e-8] [--adam-form pytorch|keras] [--sampling with-replacement|without-replacement] [--seed 0] [--k 50] [--p 30] [--resamples 30] [--backend wasm|cpu] [--init pytorch|glorot] [--ensemble K] [--workers W] [--publish [--server URL]] [--quiet]\n' +
  '  mnist            30 trainings of mnist-paper (the paper and its sanity check), layers 1 and 2 analysed\n' +
  '  cifar10:PATH     the same with cifar-paper on CIFAR-10 binary batches (a file or a folder of them)\n' +
  '  photos:DIR       high-contrast 3x3 patches of the JPEG/PNG photos in DIR, analysed as X(300,30) (2008)\n' +
  '  --steps a,b,c    snapshot steps; training runs to the last one\n' +
  '  --init NAME      how weights start: pytorch (default; the reference reproduction) or glorot (Keras)\n' +
  '  --adam-epsilon, --adam-form, --sampling  the optimiser and batches; defaults are PyTorch ones (1e-8, pytorch,\n' +
  '                   with-replacement), as the reference trained; see `kleinscope train --help`\n' +
  '  --workers W      training processes (default: one per core); each trains its share of the runs\n' +
  '  --partial        train nothing: analyse the runs that reached every step so far, in DIR/partial-N\n' +
  '  --k, --p         the density core X(k,p) of every analysis (photos: 300, 30)\n' +
  '  --resamples B    runs resampled for the confidence of each verdict (default 30; photos 0; 0 turns it off)\n' +
  '  --publish        publish the documents as the versions of one link (the server of `npm start` by default)';

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
        'adam-epsilon': { type: 'string' },
        'adam-form': { type: 'string' },
        sampling: { type: 'string' },
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
    const recipe = recipeOf(argv);
    const previous = readSummary(out);
    const abort = new AbortController();
    const reproduction: Reproduction = {
      target,
      out,
      k,
      p,
      resamples,
      seed,
      flags: values,
      commandLine,
      recipe,
      previous,
      abort,
      say,
      publish: values.publish ? (dir, files) => publishAll(dir, files, server, say) : async () => {},
    };
    return isPhotos ? reproducePhotos(reproduction) : reproduceTraining(reproduction);
  },
};

import { readFileSync } from 'node:fs';
import type { Command } from '../command';
import { parse, numberOption } from '../args';
import { CliError, at } from '../errors';
import {
  FormatError,
  formatBarcodes,
  formatValue,
  parseRipserInput,
  RIPSER_FORMATS,
  type RipserFormat,
} from '../../lib/tda/ripserFormats';
import { isPrime, ripsPersistenceWithStats } from '../../lib/tda/ripsCohomology';
import type { Metric } from '../../lib/tda/metric';
import { defaultRipsThreads, startRipsThreads, type RipsThreads } from '../ripsThreads';

const usage =
  'kleinscope ph [--format point-cloud|lower-distance|upper-distance|distance|sparse] [--dim K] ' +
  '[--threshold T] [--modulus P] [--threads N] [--json] [FILE|-]';

function readInput(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(at(file, undefined, code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? e})`));
  }
}

/** The lines Ripser prints before the barcodes, which tell how it read the input. */
function header(metric: Metric, threshold: number | undefined, stats: Stats): string[] {
  const lines: string[] = [];
  const n = metric.n;
  if (metric.kind === 'points') {
    lines.push(`point cloud with ${n} points in dimension ${metric.dim}`);
    if (threshold !== undefined) return lines;
  }
  if (metric.kind === 'sparse') {
    // Ripser counts the entries it read (i != j), whatever the threshold; the complex itself keeps only those under it.
    let entries = 0;
    for (let t = 0; t < metric.i.length; t++) if (metric.i[t] !== metric.j[t]) entries++;
    lines.push(`sparse distance matrix with ${n} points and ${entries}/${(n * (n - 1)) / 2} entries`);
    return lines;
  }
  lines.push(`value range: [${formatValue(stats.min)},${formatValue(stats.maxFinite)}]`);
  if (threshold === undefined)
    lines.push(
      `distance matrix with ${n} points, using threshold at enclosing radius ${formatValue(stats.enclosingRadius)}`,
    );
  else
    lines.push(`sparse distance matrix with ${n} points and ${stats.edgeCount}/${Math.floor((n * n - 1) / 2)} entries`);
  return lines;
}

/** Below this, starting a worker costs more than the whole computation. */
const MIN_THREADED_POINTS = 64;

interface Stats {
  min: number;
  maxFinite: number;
  enclosingRadius: number;
  edgeCount: number;
}

export const command: Command = {
  summary: 'Vietoris-Rips persistence barcodes (Ripser-compatible input and output)',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        format: { type: 'string' },
        dim: { type: 'string' },
        threshold: { type: 'string' },
        modulus: { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length > 1) throw new CliError(`expected at most one input file\nusage: ${usage}`, 2);
    const format = (values.format ?? 'lower-distance') as RipserFormat;
    if (!RIPSER_FORMATS.includes(format))
      throw new CliError(`--format: '${values.format}' is not one of ${RIPSER_FORMATS.join(', ')}`, 2);
    const maxDim = numberOption('dim', values.dim, 1, { integer: true, min: 0, max: 16 });
    const threshold =
      values.threshold === undefined ? undefined : numberOption('threshold', values.threshold, 0, { min: 0 });
    const modulus = numberOption('modulus', values.modulus, 2, { integer: true, min: 2, max: 255 });
    if (!isPrime(modulus)) throw new CliError(`--modulus: ${modulus} is not a prime`, 2);
    // The same barcodes on any number of threads; by default one per core, or one when the cores are busy.
    const threads = numberOption('threads', values.threads, defaultRipsThreads(), {
      integer: true,
      min: 1,
      max: 256,
    });
    const file = positionals[0] ?? '-';
    const name = file === '-' ? '<stdin>' : file;
    const text = readInput(file);
    let metric: Metric;
    try {
      metric = parseRipserInput(text, format);
    } catch (e) {
      if (e instanceof FormatError) throw new CliError(at(name, e.line, e.message));
      throw e;
    }
    let computed;
    // Workers start (about 30 ms each, on the other cores) when the core first posts work, if it does.
    const runner: RipsThreads | undefined =
      threads > 1 && metric.n >= MIN_THREADED_POINTS ? startRipsThreads(threads - 1) : undefined;
    try {
      computed = ripsPersistenceWithStats(metric, { maxDim, threshold, modulus, runner });
    } catch (e) {
      if (e instanceof RangeError || (e instanceof Error && e.name === 'PersistenceTooLargeError'))
        throw new CliError(at(name, undefined, e.message));
      throw e;
    } finally {
      void runner?.close();
    }
    const { result, stats } = computed;
    if (values.json) {
      const doc = {
        points: metric.n,
        threshold: result.threshold,
        modulus,
        diagrams: result.diagrams.map((bars) => bars.map(([b, d]) => [b, d === Infinity ? null : d])),
      };
      process.stdout.write(JSON.stringify(doc) + '\n');
    } else {
      const head = header(metric, threshold, stats).join('\n');
      process.stdout.write(head + '\n' + formatBarcodes(result.diagrams));
    }
    return 0;
  },
};

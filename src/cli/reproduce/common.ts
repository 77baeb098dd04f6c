/**
 * What the sources of `kleinscope reproduce` share: the run's settings, the summary it saves (emergence.json), the
 * recipe a document names, and the analysis of one set of filters into a checked document.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors';
import { nodeTaskPool } from '../threadPool';
import type { ThreadTaskPool } from '../../lib/threads/taskPool';
import { AnalysisError, analyzeFilters, type AnalysisOptions } from '../../lib/analysis/pipeline';
import type { EmergenceRow } from '../../lib/analysis/emergence';
import { DatasetError } from '../../lib/nn/datasets/dataset';
import { validateResult } from '../../lib/result/validate';
import type { ResultDocument } from '../../lib/result/schema';
import { PersistenceTooLargeError } from '../../lib/tda/ripsCohomology';

export const SUMMARY_FORMAT = 'kleinscope/emergence@1';
export const SUMMARY_FILE = 'emergence.json';

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

/** The flags only some sources read (photos refuses the training ones). */
export interface ReproduceFlags {
  runs?: string;
  steps?: string;
  batch?: string;
  lr?: string;
  'adam-epsilon'?: string;
  'adam-form'?: string;
  sampling?: string;
  backend?: string;
  init?: string;
  ensemble?: string;
  workers?: string;
  partial?: boolean;
  quiet?: boolean;
}

/** One `kleinscope reproduce` invocation, as every source receives it. */
export interface Reproduction {
  target: string;
  out: string;
  k: number;
  p: number;
  /** Resamples for each verdict's confidence (0: one sample). */
  resamples: number;
  seed: number;
  flags: ReproduceFlags;
  /** The command line without --publish and --quiet, saved in the summary. */
  commandLine: string;
  /** What made a document, for its description: the options that change results (not where it was written). */
  recipe: string;
  /** The summary an earlier invocation left in --out, for the seconds spent so far. */
  previous: ReproduceSummary | null;
  abort: AbortController;
  say: (line: string) => void;
  /** Publishes documents of a folder as the versions of one link when --publish asked for it; else nothing. */
  publish: (dir: string, files: string[]) => Promise<void>;
}

/** A document written earlier for the same analysis, or null when it is missing, broken or made differently. */
export function readDocument(path: string, k: number, p: number): ResultDocument | null {
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

export function readSummary(dir: string): ReproduceSummary | null {
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

let pool: ThreadTaskPool | undefined;
/** Threads for the k-NN search and the confidence resamples of every analysis of the run (idle ones hold nothing). */
function analysisPool(): ThreadTaskPool {
  return (pool ??= nodeTaskPool());
}

export async function analyse(
  filters: ArrayLike<number>,
  source: ResultDocument['source'],
  options: AnalysisOptions,
  signal: AbortSignal,
  what: string,
  description: string,
): Promise<ResultDocument> {
  let doc: ResultDocument;
  try {
    doc = { ...(await analyzeFilters(filters, source, options, { signal, pool: analysisPool() })), description };
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

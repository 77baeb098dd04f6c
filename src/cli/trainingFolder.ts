/**
 * A training folder that several processes write at once. Every process trains its own runs into the folder's
 * own kernels/ and checkpoints/ (one file per run, so they never collide) and records its snapshots in
 * parts/runs-A-B.json; `consolidate` folds those into manifest.json. At rest the folder is the one a single
 * process writes (manifest.json, kernels/, checkpoints/), so it resumes with any number of processes.
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from './errors';
import { manifestSchema, checkpointPath, optimiserSettings, type Manifest } from '../lib/nn/manifest';
import { writeAtomically } from './atomicWrite';

const PARTS = 'parts';
const pad = (n: number) => String(n).padStart(3, '0');

/** Where the process training runs A..B-1 records its snapshots, relative to the folder. */
export const partManifestPath = ([a, b]: [number, number]) => `${PARTS}/runs-${pad(a)}-${pad(b)}.json`;

/** A manifest file, or a one-line CliError naming the file and the field. */
export function readManifestFile(path: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) {
      throw new CliError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code})`);
    }
    throw new CliError(`${path}: not valid JSON; choose another --out folder`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`${path}: field '${issue.path.join('.')}': ${issue.message}`);
  }
  return parsed.data;
}

/** The fields that must match for two manifests to be the same training (which runs a process trains aside). */
export const sameTraining = (a: Manifest, b: Manifest) => {
  const key = (m: Manifest) =>
    JSON.stringify([
      m.datasetArg,
      m.architecture,
      m.runs,
      m.steps,
      m.batchSize,
      m.learningRate,
      m.seed,
      m.evalSize,
      m.snapshotSteps,
      m.init ?? 'glorot',
      optimiserSettings(m),
    ]);
  return key(a) === key(b);
};

function partFiles(out: string): string[] {
  const dir = join(out, PARTS);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => /^runs-\d+-\d+\.json$/.test(f))
    .sort()
    .map((f) => `${PARTS}/${f}`);
}

/** True when the ranges cover runs 0..runs-1. */
function covers(ranges: Array<[number, number]>, runs: number): boolean {
  const done = new Array<boolean>(runs).fill(false);
  for (const [a, b] of ranges) for (let r = a; r < b && r < runs; r++) done[r] = true;
  return done.every(Boolean);
}

/**
 * The whole training as the folder holds it now: manifest.json with the parts' snapshots over it (a part's
 * snapshot of a run and step replaces the same one in manifest.json), or null for a folder with neither.
 */
export function mergedManifest(out: string): Manifest | null {
  const topPath = join(out, 'manifest.json');
  const top = existsSync(topPath) ? readManifestFile(topPath) : null;
  const parts = partFiles(out).map((file) => ({ file, manifest: readManifestFile(join(out, file)) }));
  if (!top && parts.length === 0) return null;
  const base = top ?? parts[0]!.manifest;
  for (const { file, manifest } of parts) {
    if (!sameTraining(base, manifest) || !manifest.runRange) {
      throw new CliError(`${join(out, file)}: not a part of the training in ${out}; delete it to retrain its runs`);
    }
  }
  const snapshots = new Map<string, Manifest['snapshots'][number]>();
  for (const s of top?.snapshots ?? []) snapshots.set(`${s.run}@${s.step}`, s);
  for (const { manifest } of parts) {
    const [a, b] = manifest.runRange!;
    for (const s of manifest.snapshots) if (s.run >= a && s.run < b) snapshots.set(`${s.run}@${s.step}`, s);
  }
  const all = [top, ...parts.map((p) => p.manifest)].filter((m): m is Manifest => m !== null);
  const { runRange: _part, ...rest } = base;
  void _part;
  return {
    ...rest,
    complete:
      !!top?.complete ||
      covers(
        parts.filter((p) => p.manifest.complete).map((p) => p.manifest.runRange!),
        base.runs,
      ),
    createdAt: all.map((m) => m.createdAt).sort()[0]!,
    updatedAt: all
      .map((m) => m.updatedAt)
      .sort()
      .at(-1)!,
    // The backend that trained last, as a single process records it; `backends` keeps every one.
    backend: (parts.at(-1)?.manifest ?? base).backend,
    backends: [...new Set(all.flatMap((m) => m.backends ?? [m.backend]))],
    snapshots: [...snapshots.values()].sort((a, b) => a.run - b.run || a.step - b.step),
  };
}

function move(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(dirname(to), { recursive: true });
  renameSync(from, to);
}

/**
 * Earlier versions gave each process of `kleinscope reproduce --workers` a whole folder, parts/N/, and wrote
 * manifest.json only at the end. An interrupted folder of that layout is moved into this one (files first, then
 * the part's record, so a crash halfway is finished by the next call).
 */
function migrateFolderParts(out: string): void {
  const dir = join(out, PARTS);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
  for (const name of readdirSync(dir).filter((f) => /^\d+$/.test(f))) {
    const part = join(dir, name);
    if (!existsSync(join(part, 'manifest.json'))) {
      rmSync(part, { recursive: true, force: true });
      continue;
    }
    const manifest = readManifestFile(join(part, 'manifest.json'));
    const range = manifest.runRange ?? [0, manifest.runs];
    for (const s of manifest.snapshots) for (const k of s.kernels) move(join(part, k.file), join(out, k.file));
    for (let r = range[0]; r < range[1]; r++) move(join(part, checkpointPath(r)), join(out, checkpointPath(r)));
    writeAtomically(join(out, partManifestPath(range)), JSON.stringify({ ...manifest, runRange: range }));
    rmSync(part, { recursive: true, force: true });
  }
}

/**
 * Folds parts/ into manifest.json and removes it; returns the whole training (null for a folder without one).
 * Run before training starts (a crash may have left parts behind) and after every process has stopped. A
 * finished folder is never touched.
 */
export function consolidate(out: string): Manifest | null {
  const topPath = join(out, 'manifest.json');
  if (existsSync(topPath) && readManifestFile(topPath).complete) return readManifestFile(topPath);
  migrateFolderParts(out);
  const files = partFiles(out);
  const merged = mergedManifest(out);
  if (!merged || files.length === 0) return merged;
  writeAtomically(topPath, JSON.stringify(merged, null, 1) + '\n');
  for (const file of files) rmSync(join(out, file), { force: true });
  try {
    rmdirSync(join(out, PARTS));
  } catch {
    // Something else lives there (a stray file): leave it.
  }
  return merged;
}

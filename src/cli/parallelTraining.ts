/**
 * One training split over several processes: TensorFlow.js's wasm backend uses one core in Node, so on a
 * machine with more, `kleinscope reproduce --workers W` starts W `kleinscope train --run-range` processes, each in
 * DIR/parts/W, and merges their manifests into DIR/manifest.json when all are done. Run r keeps its seed
 * (runSeed(seed, r)) whichever process trains it, so the merged folder is the one a single process would write,
 * and each part resumes on its own after an interruption.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors';
import { manifestSchema, type Manifest } from '../lib/nn/manifest';
import { writeAtomically } from './atomicWrite';

/** Runs A..B-1 of each of `workers` parts, as even as possible. */
export function splitRuns(runs: number, workers: number): Array<[number, number]> {
  const w = Math.max(1, Math.min(workers, runs));
  return Array.from({ length: w }, (_, i) => [Math.floor((i * runs) / w), Math.floor(((i + 1) * runs) / w)]);
}

export const partDir = (i: number) => `parts/${i}`;

/** The merged manifest of the parts: every part's snapshots, their files named relative to the whole folder. */
export function mergeManifests(parts: Array<{ dir: string; manifest: Manifest }>): Manifest {
  const first = parts[0]!.manifest;
  const snapshots = parts
    .flatMap(({ dir, manifest }) =>
      manifest.snapshots
        .filter((s) => !manifest.runRange || (s.run >= manifest.runRange[0] && s.run < manifest.runRange[1]))
        .map((s) => ({ ...s, kernels: s.kernels.map((k) => ({ ...k, file: `${dir}/${k.file}` })) })),
    )
    .sort((a, b) => a.run - b.run || a.step - b.step);
  const backends = [...new Set(parts.flatMap(({ manifest }) => manifest.backends ?? [manifest.backend]))];
  const { runRange: _ignored, ...rest } = first;
  void _ignored;
  return {
    ...rest,
    complete: parts.every((p) => p.manifest.complete),
    createdAt: parts.map((p) => p.manifest.createdAt).sort()[0]!,
    updatedAt: parts
      .map((p) => p.manifest.updatedAt)
      .sort()
      .at(-1)!,
    backends,
    snapshots,
  };
}

function readPart(path: string): Manifest | null {
  if (!existsSync(path)) return null;
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new CliError(`${path}: not a training manifest; delete the part to retrain it`);
  return parsed.data;
}

/** The manifests of the parts in out/parts that have one, in part order. */
export function readParts(out: string): Array<{ dir: string; manifest: Manifest }> {
  const parts: Array<{ dir: string; manifest: Manifest }> = [];
  for (let i = 0; existsSync(join(out, partDir(i))); i++) {
    const manifest = readPart(join(out, partDir(i), 'manifest.json'));
    if (manifest) parts.push({ dir: partDir(i), manifest });
  }
  return parts;
}

/**
 * Trains `trainArgs` (a `kleinscope train` command line without --out) in `workers` processes under out/parts/,
 * prefixing each child's lines with its part. Resolves with the exit code: 0 once every part is complete (and
 * out/manifest.json merged), else the first failure's code (130 when interrupted).
 */
export async function trainInParallel(
  cli: string,
  trainArgs: string[],
  out: string,
  runs: number,
  workers: number,
  say: (line: string) => void,
): Promise<number> {
  const ranges = splitRuns(runs, workers);
  const codes = await Promise.all(
    ranges.map(
      ([a, b], i) =>
        new Promise<number>((resolve) => {
          const dir = join(out, partDir(i));
          mkdirSync(dir, { recursive: true });
          const existing = readPart(join(dir, 'manifest.json'));
          if (existing?.complete) {
            resolve(0);
            return;
          }
          const child = spawn(
            process.execPath,
            [cli, 'train', ...trainArgs, '--run-range', `${a}:${b}`, '--out', dir],
            {
              stdio: ['ignore', 'pipe', 'pipe'],
            },
          );
          const relay = (write: (s: string) => void) => {
            let rest = '';
            return (chunk: Buffer) => {
              const lines = (rest + chunk.toString('utf8')).split('\n');
              rest = lines.pop() ?? '';
              for (const line of lines) if (line) write(`[part ${i}, runs ${a}-${b - 1}] ${line}`);
            };
          };
          child.stdout.on('data', relay(say));
          child.stderr.on(
            'data',
            relay((l) => process.stderr.write(l + '\n')),
          );
          child.on('error', (e) => {
            process.stderr.write(`[part ${i}] cannot start: ${e.message}\n`);
            resolve(1);
          });
          child.on('close', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
        }),
    ),
  );
  const failed = codes.find((c) => c !== 0);
  if (failed !== undefined) return failed;
  const parts = ranges.map((_, i) => {
    const dir = partDir(i);
    const manifest = readPart(join(out, dir, 'manifest.json'));
    if (!manifest) throw new CliError(`${join(out, dir)}: the part finished without a manifest.json`);
    return { dir, manifest };
  });
  const merged = mergeManifests(parts);
  const path = join(out, 'manifest.json');
  writeAtomically(path, JSON.stringify(merged, null, 1) + '\n');
  return 0;
}

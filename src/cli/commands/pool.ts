/**
 * `kleinscope pool --server URL ID --out DIR`: writes an experiment's accepted runs as an ordinary training folder
 * (manifest.json and kernels/run-NNN/step-SSSSSSS-convL.npy, the layout of `kleinscope train --out`), so
 * `kleinscope analyze DIR --layer L --step S` pools them like a local training.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command';
import { parse } from '../args';
import { CliError } from '../errors';
import { writeAtomically } from '../atomicWrite';
import { ApiError } from '../../lib/api/client';
import { PRESETS, decodeKernels } from '../../lib/api/experiments';
import { createExperimentsClient } from '../../lib/api/experimentsClient';
import { MANIFEST_FORMAT, kernelPath, type Manifest } from '../../lib/nn/manifest';
import { encodeNpy } from '../../lib/nn/npy';

const usage =
  'kleinscope pool --server URL ID --out DIR [--quiet]\n' +
  '  writes the accepted runs of experiment ID as a training folder that `kleinscope analyze DIR` reads';

export const command: Command = {
  summary: "write a pooled experiment's accepted runs as a training folder",
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { server: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' } },
      usage,
    );
    if (!values.server) throw new CliError(`--server URL is required\nusage: ${usage}`, 2);
    if (!values.out) throw new CliError(`--out DIR is required\nusage: ${usage}`, 2);
    if (positionals.length !== 1) throw new CliError(`give one experiment ID\nusage: ${usage}`, 2);
    const id = positionals[0]!;
    if (!/^[a-z2-7]{16}$/.test(id)) throw new CliError(`'${id}' is not an experiment id (16 characters a-z, 2-7)`, 2);
    let server: string;
    try {
      server = new URL(values.server).origin;
    } catch {
      throw new CliError(`--server: '${values.server}' is not a URL`, 2);
    }
    const out = values.out;
    // A pool is a snapshot of a growing experiment: rewriting an earlier pool of the same one is fine, anything
    // else in the folder is not ours to overwrite.
    if (existsSync(out)) {
      const entries = readdirSync(out).filter((f) => !f.startsWith('.'));
      if (entries.length && !entries.includes('manifest.json')) {
        throw new CliError(`--out ${out}: the folder is not empty and holds no training (manifest.json)`);
      }
    }

    const client = createExperimentsClient(server);
    const fail = (e: unknown, what: string) =>
      e instanceof ApiError ? new CliError(`${what}: ${e.offline ? '' : `${e.status} ${e.code}: `}${e.detail}`) : e;
    let pool;
    try {
      pool = await client.pool(id);
    } catch (e) {
      throw fail(e, `experiment ${id}`);
    }
    const def = pool.experiment;
    const preset = PRESETS[def.preset];
    if (!preset) throw new CliError(`experiment ${id}: preset '${def.preset}' is unknown to this version`);
    try {
      mkdirSync(out, { recursive: true });
    } catch (e) {
      throw new CliError(`--out ${out}: cannot create (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    const now = new Date().toISOString();
    const backends = [...new Set(pool.runs.map((r) => r.backend))];
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      complete: pool.runs.length === def.runs,
      createdAt: def.createdAt,
      updatedAt: now,
      backend: backends[0] ?? 'unknown',
      backends,
      dataset: preset.dataset,
      datasetArg: preset.dataset,
      architecture: preset.architecture,
      runs: def.runs,
      steps: def.steps.at(-1)!,
      batchSize: def.batch,
      learningRate: def.learningRate,
      seed: def.seed,
      evalSize: 1000,
      snapshotSteps: def.steps,
      ...(def.init !== 'glorot' ? { init: def.init } : {}),
      snapshots: [],
    };
    for (const r of pool.runs) {
      for (const s of r.snapshots) {
        let bytes: Uint8Array;
        try {
          bytes = await client.kernels(id, r.run, s.step);
        } catch (e) {
          throw fail(e, `run ${r.run} step ${s.step}`);
        }
        const kernels = decodeKernels(def.preset, bytes);
        if (!kernels) throw new CliError(`run ${r.run} step ${s.step}: the server sent ${bytes.length} bytes`);
        const files = kernels.map((k) => {
          const file = kernelPath(r.run, s.step, k.layer);
          writeAtomically(join(out, file), encodeNpy(k.data, k.shape), true);
          return { layer: k.layer, shape: k.shape, file };
        });
        manifest.snapshots.push({
          run: r.run,
          seed: r.seed,
          step: s.step,
          loss: s.loss,
          accuracy: s.accuracy,
          kernels: files,
        });
      }
    }
    writeAtomically(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n', true);
    if (!values.quiet) {
      process.stdout.write(
        `wrote ${pool.runs.length} of ${def.runs} run(s), steps ${def.steps.join(', ')}, to ${join(out, 'manifest.json')}\n`,
      );
      const checks = pool.runs.flatMap((r) => (r.replica ? [r.replica.check] : []));
      if (checks.length) {
        const n = (c: string) => checks.filter((k) => k === c).length;
        process.stdout.write(
          `replicated runs: ${n('exact')} identical on one backend, ${n('early')} agreeing at the early steps ` +
            `across backends, ${n('unverified')} not replicated on the same backend\n`,
        );
      }
    }
    return 0;
  },
};

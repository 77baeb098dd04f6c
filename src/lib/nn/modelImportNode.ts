// Node side of model import: model.json and its shards from disk, for the CLI and tests. Pure @tensorflow/tfjs
// has no file:// loader, so this also offers a tfjs IOHandler built on the same checked reads.
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { ModelImportError, openModel, readWeightBytes, type ImportedModel, type ModelFiles } from './modelImport';

function fsProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'missing: no such file';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  return `cannot be read (${(e as Error).message})`;
}

/** model.json at `path`, shards resolved against its folder. Messages name files by the path as given. */
export function fileModelFiles(path: string): ModelFiles {
  const dir = dirname(path);
  const shardPath = (p: string) => join(dir, p);
  return {
    label: path,
    async readJson() {
      try {
        return await readFile(path, 'utf8');
      } catch (e) {
        throw new ModelImportError(path, fsProblem(e));
      }
    },
    shardLabel: shardPath,
    async size(p) {
      const full = shardPath(p);
      try {
        const s = await stat(full);
        if (!s.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
        return s.size;
      } catch (e) {
        throw new ModelImportError(full, `${fsProblem(e)} (listed in ${path})`);
      }
    },
    async read(p, start, end) {
      const full = shardPath(p);
      let handle;
      try {
        handle = await open(full, 'r');
        const out = new Uint8Array(end - start);
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return out.subarray(0, done);
      } catch (e) {
        throw new ModelImportError(full, fsProblem(e));
      } finally {
        await handle?.close();
      }
    },
  };
}

/** Opens the model whose model.json is at `path`, checking every shard (see `openModel`). */
export function openModelFile(path: string): Promise<ImportedModel> {
  return openModel(fileModelFiles(path));
}

/**
 * A tfjs IOHandler for a model.json on disk, for `tf.loadLayersModel(fileHandler(p))` or `tf.loadGraphModel`.
 * The files get the same checks as `openModelFile`, so a bad shard is a one-line ModelImportError, not a
 * garbled model.
 */
export function fileHandler(path: string): io.IOHandler {
  return {
    async load() {
      const model = await openModelFile(path);
      const weightSpecs = model.manifest.flatMap((g) => g.weights);
      const total = [...model.weights.values()].reduce((a, w) => a + w.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const spec of weightSpecs) {
        weightData.set(await readWeightBytes(model, spec.name), offset);
        offset += model.weights.get(spec.name)!.byteLength;
      }
      return {
        modelTopology: model.topology,
        format: model.format,
        weightSpecs: weightSpecs as io.WeightsManifestEntry[],
        weightData: weightData.buffer,
      };
    },
  };
}

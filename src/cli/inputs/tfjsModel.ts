/**
 * `kleinscope analyze MODEL.json --layer N [--max-filters M] [--seed S]`: the 3x3 spatial filters of conv layer N
 * of a TensorFlow.js model (layers, graph, or a bare weights manifest), read from its weight shards. Errors are
 * one line naming the file.
 */
import { basename } from 'node:path';
import { CliError, at } from '../errors';
import { extractLayerFilters, ModelImportError } from '../../lib/nn/modelImport';
import { openModelFile } from '../../lib/nn/modelImportNode';
import type { InputLoader } from './loader';

// What model.json files start with, as tfjs and tensorflowjs_converter write them.
const MARKERS = ['"modelTopology"', '"weightsManifest"', '"layers-model"', '"graph-model"'];
// A bare weights manifest (face-api.js's *-weights_manifest.json) is an array of {weights, paths} groups.
const MANIFEST_START = /^\[\s*\{\s*"(weights|paths)"\s*:/;

export const tfjsModelLoader: InputLoader = {
  name: 'a TensorFlow.js model.json or weights manifest (with --layer N)',
  matches(path, stat, head) {
    if (!stat.isFile()) return false;
    // A file called model.json is claimed even when broken, so it gets a model error, not a filter-file one.
    const name = basename(path).toLowerCase();
    if (name.endsWith('model.json') || name.endsWith('manifest.json')) return true;
    const text = new TextDecoder().decode(head).trimStart();
    return (text.startsWith('{') && MARKERS.some((m) => text.includes(m))) || MANIFEST_START.test(text);
  },
  async load(path, options) {
    try {
      const model = await openModelFile(path);
      if (options.layer === undefined) {
        const n = model.convLayers.length;
        throw new CliError(
          `${path}: a TensorFlow.js model with ${n} conv layer${n === 1 ? '' : 's'}: pick one with --layer N ` +
            `(list them with: kleinscope layers ${path})`,
          2,
        );
      }
      const { filters, source } = await extractLayerFilters(model, options.layer, {
        maxFilters: options.maxFilters,
        seed: options.seed,
      });
      const of = source.subsample?.of;
      const layer = async () => (await extractLayerFilters(model, options.layer!, { maxFilters: of })).filters;
      return { filters, source, ...(of !== undefined ? { layer } : {}) };
    } catch (e) {
      if (e instanceof ModelImportError) throw new CliError(e.message);
      if (e instanceof RangeError) throw new CliError(at(path, undefined, `--layer: ${e.message}`), 2);
      throw e;
    }
  },
};

/** Filters from a CSV, JSON or .npy file (see src/lib/analysis/readFilters.ts for the formats). */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CliError, at } from '../errors';
import { detectFormat, FilterFormatError, readFilters } from '../../lib/analysis/readFilters';
import type { InputLoader } from './loader';

export const filterFileLoader: InputLoader = {
  name: 'a filter file (.csv, .json array, .npy)',
  matches(path, stat, head) {
    if (!stat.isFile()) return false;
    const format = detectFormat(path, head);
    if (format !== 'json') return true;
    // JSON objects (a TensorFlow.js model.json, a result document) belong to other loaders.
    const text = new TextDecoder().decode(head).trimStart();
    return text === '' || text.startsWith('[');
  },
  async load(path, options) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new CliError(at(path, undefined, `cannot read (${(e as NodeJS.ErrnoException).code ?? e})`));
    }
    try {
      const file = readFilters(bytes, path);
      const kernelShape = file.shape.length === 4 ? file.shape : undefined;
      return {
        filters: file.filters,
        source: {
          kind: 'file',
          dataset: basename(path).slice(0, 80),
          // Only the base name: the document may be published, and a full path tells strangers about this machine.
          file: basename(path).slice(0, 500),
          ...(options.layer !== undefined ? { layer: options.layer } : {}),
          ...(options.step !== undefined ? { step: options.step } : {}),
          ...(kernelShape && kernelShape.every((d) => d > 0) ? { kernelShape } : {}),
        },
      };
    } catch (e) {
      if (e instanceof FilterFormatError) throw new CliError(at(path, e.line, e.message));
      throw e;
    }
  },
};

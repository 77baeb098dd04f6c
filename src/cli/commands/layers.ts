import type { Command } from '../command';
import { parse } from '../args';
import { CliError } from '../errors';
import { DEFAULT_MAX_FILTERS, ModelImportError } from '../../lib/nn/modelImport';
import { openModelFile } from '../../lib/nn/modelImportNode';
import type { ConvLayer } from '../../lib/nn/convLayers';

const usage = 'kleinscope layers MODEL.json|WEIGHTS_MANIFEST.json [--json]';

function note(layer: ConvLayer): string {
  if (!layer.is3x3) return `not 3x3: the analysis refuses it`;
  if (layer.nFilters > DEFAULT_MAX_FILTERS) return `seeded subsample of ${DEFAULT_MAX_FILTERS} by default`;
  return '';
}

/** A plain-text table; columns padded to their widest cell so it reads in a terminal and greps well. */
function table(layers: ConvLayer[]): string {
  const head = ['layer', 'name', 'op', 'kernel', 'filters', 'note'];
  const body = layers.map((l) => [String(l.index), l.name, l.op, l.kernelShape.join('x'), String(l.nFilters), note(l)]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const right = new Set([0, 4]);
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

export const command: Command = {
  summary: 'list the conv layers of a TensorFlow.js model (model.json or a weights manifest, + weight files)',
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, usage);
    if (positionals.length !== 1) throw new CliError(`expected one MODEL.json or weights manifest\nusage: ${usage}`, 2);
    const path = positionals[0];
    let model;
    try {
      model = await openModelFile(path);
    } catch (e) {
      if (e instanceof ModelImportError) throw new CliError(e.message);
      throw e;
    }
    if (values.json) {
      const out = {
        file: path,
        format: model.format,
        name: model.modelName ?? null,
        kernelsFrom: model.kernelsFrom,
        layers: model.convLayers.map(({ index, name, op, kind, weight, kernelShape, nFilters, is3x3 }) => ({
          index,
          name,
          op,
          kind,
          weight,
          kernelShape,
          nFilters,
          is3x3,
        })),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return 0;
    }
    const name = model.modelName ? ` '${model.modelName}'` : '';
    const n = model.convLayers.length;
    // Found by shape: say so, since a 4-d tensor is only presumed to be a conv kernel.
    const how = model.kernelsFrom === 'shape' && n ? ' (kernels found by shape: every 4-d [k,k,cin,cout] tensor)' : '';
    process.stdout.write(`${path}: ${model.format}${name}, ${n} conv layer${n === 1 ? '' : 's'}${how}\n`);
    if (n) {
      process.stdout.write(table(model.convLayers) + '\n');
      process.stdout.write(`analyse one with: kleinscope analyze ${path} --layer N\n`);
    }
    return 0;
  },
};

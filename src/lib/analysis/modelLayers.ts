// Analyses every conv layer of an imported model in one go, for the layer gallery (figure 6 of the paper shows
// VGG16's conv layers side by side). Plain data in and out; the Web Worker calls it and relays the progress.
import type { TaskPool } from './taskPool';
import type { ResultDocument } from '../result/schema';
import type { ConvLayer } from '../nn/convLayers';
import { convLayer, extractLayerFilters, type ExtractOptions, type ImportedModel } from '../nn/modelImport';
import { AnalysisError, analyzeFilters, type AnalysisOptions } from './pipeline';

/** What became of one layer: analysed, skipped (not 3x3), or failed (e.g. every filter near zero). */
export type LayerAnalysis =
  | { layer: ConvLayer; status: 'done'; document: ResultDocument }
  | { layer: ConvLayer; status: 'skipped'; reason: string }
  | { layer: ConvLayer; status: 'failed'; error: string };

export interface ModelLayersProgress {
  /** 1-based index of the layer being analysed. */
  layer: number;
  /** Position of that layer among the layers being analysed (0-based) and how many there are. */
  position: number;
  total: number;
  /** The pipeline's stage name and its own fraction, as `analyzeFilters` reports them. */
  stage: string;
  fraction: number;
  /** Fraction of the whole run, for one progress bar. */
  overall: number;
}

export interface ModelLayersOptions extends ExtractOptions {
  /** 1-based layer indices to analyse; default every conv layer (non-3x3 ones come back as skipped). */
  layers?: number[];
  /** Passed to the pipeline for every layer. */
  analysis?: AnalysisOptions;
}

export interface ModelLayersHooks {
  onProgress?: (progress: ModelLayersProgress) => void;
  /** Called as each layer finishes, so a gallery can fill in before the whole run ends. */
  onLayer?: (result: LayerAnalysis) => void;
  signal?: AbortSignal;
  /** Threads for each layer's k-NN and resamples (taskPool.ts). */
  pool?: TaskPool;
}

/**
 * Analyses the chosen conv layers one after another (a layer's filters are read only when its turn comes, so a
 * large model never holds more than one layer's filters). A layer that cannot be analysed does not stop the run;
 * aborting does (the signal's reason is thrown).
 * @returns one entry per chosen layer, in the order asked for.
 */
export async function analyzeModelLayers(
  model: ImportedModel,
  options: ModelLayersOptions = {},
  hooks: ModelLayersHooks = {},
): Promise<LayerAnalysis[]> {
  const { layers: chosen, analysis, ...extract } = options;
  const indices = chosen ?? model.convLayers.map((l) => l.index);
  indices.forEach((i) => convLayer(model, i)); // a wrong index fails before any work
  const total = indices.length;
  const results: LayerAnalysis[] = [];
  for (const [position, index] of indices.entries()) {
    hooks.signal?.throwIfAborted();
    const layer = model.convLayers[index - 1];
    const report = (stage: string, fraction: number) =>
      hooks.onProgress?.({
        layer: index,
        position,
        total,
        stage,
        fraction,
        overall: (position + Math.min(Math.max(fraction, 0), 1)) / total,
      });
    let result: LayerAnalysis;
    if (!layer.is3x3) {
      const reason = `${layer.kernelShape[0]}x${layer.kernelShape[1]} kernels; the analysis takes 3x3 filters only`;
      result = { layer, status: 'skipped', reason };
    } else {
      try {
        report('read', 0);
        const { filters, source } = await extractLayerFilters(model, index, extract);
        // A subsampled layer is resampled as fresh subsamples of the whole layer (see resampling.ts).
        const whole =
          source.subsample && (analysis?.resamples ?? 0) > 0
            ? (await extractLayerFilters(model, index, { ...extract, maxFilters: source.subsample.of })).filters
            : undefined;
        const document = await analyzeFilters(filters, source, analysis, {
          onProgress: report,
          signal: hooks.signal,
          ...(whole ? { layer: whole } : {}),
          ...(hooks.pool ? { pool: hooks.pool } : {}),
        });
        result = { layer, status: 'done', document };
      } catch (e) {
        if (hooks.signal?.aborted) throw hooks.signal.reason;
        // Bad options would fail every layer the same way: say so once instead.
        if (e instanceof AnalysisError && e.field !== undefined && e.field !== 'filters' && e.field !== 'lens') throw e;
        result = { layer, status: 'failed', error: e instanceof Error ? e.message : String(e) };
      }
    }
    report('done', 1);
    results.push(result);
    hooks.onLayer?.(result);
  }
  return results;
}

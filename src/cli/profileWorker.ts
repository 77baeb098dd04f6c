// A worker thread of `kleinscope profile --jobs N`: opens the model once (with the same shard checks) and analyses
// the layers the main thread sends it, one at a time, so N layers run on N cores. Replies are plain data.
import { parentPort, workerData } from 'node:worker_threads';
import { ModelImportError } from '../lib/nn/modelImport';
import { openModelFile } from '../lib/nn/modelImportNode';
import { analyzeModelLayers, type LayerAnalysis, type ModelLayersOptions } from '../lib/analysis/modelLayers';
import { AnalysisError } from '../lib/analysis/pipeline';

export interface ProfileWorkerData {
  path: string;
  options: Omit<ModelLayersOptions, 'layers'>;
}

export type ProfileReply =
  | { index: number; result: LayerAnalysis }
  | { index: number; error: string; kind: 'import' | 'options' | 'internal'; field?: string };

const port = parentPort;
if (port) {
  const { path, options } = workerData as ProfileWorkerData;
  const model = openModelFile(path);
  // A rejection is reported with the first layer asked for, not as an unhandled one.
  model.catch(() => undefined);
  port.on('message', async (index: number) => {
    let reply: ProfileReply;
    try {
      const [result] = await analyzeModelLayers(await model, { ...options, layers: [index] });
      reply = { index, result };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof AnalysisError) reply = { index, error: message, kind: 'options', field: e.field };
      else if (e instanceof ModelImportError) reply = { index, error: message, kind: 'import' };
      else reply = { index, error: message, kind: 'internal' };
    }
    port.postMessage(reply);
  });
}

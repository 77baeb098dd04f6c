// An imported model in the lab: every 3x3 conv layer becomes a subject of the analysis queue, shown together in
// the layer gallery (the seed's figure 6); the first analysable layer is the main view's.
import { extractLayerFilters, loadModelFromFiles, loadModelFromUrl, type ImportedModel } from '../nn/modelImport';
import type { Subject } from './analyses.svelte';
import type { Lab } from './lab.svelte';
import type { GalleryLayer } from '../components/lab/LayerGallery.svelte';

export class ModelLayers {
  layers = $state.raw<GalleryLayer[]>([]);
  #lab: Lab;

  constructor(lab: Lab) {
    this.#lab = lab;
    lab.register(this);
  }

  async open() {
    const lab = this.#lab;
    const url = lab.modelUrl.trim();
    if (!url && lab.files.length === 0) {
      lab.error = 'Give the URL of a model.json, or pick model.json together with its .bin weight files.';
      return;
    }
    lab.phase = 'importing';
    try {
      const model = url ? await loadModelFromUrl(url) : await loadModelFromFiles(lab.files);
      await this.#show(model);
    } catch (e) {
      lab.fail(e);
    } finally {
      lab.phase = 'idle';
    }
  }

  async #show(model: ImportedModel) {
    if (model.convLayers.length === 0) throw new Error(`${model.label}: the model has no conv layers`);
    const layers: GalleryLayer[] = [];
    const subjects: Subject[] = [];
    for (const layer of model.convLayers) {
      const key = `model:${layer.index}`;
      if (!layer.is3x3) {
        const [kh, kw] = layer.kernelShape;
        layers.push({
          key,
          layer: layer.index,
          name: layer.name,
          skipped: `${kh}x${kw} kernels: only 3x3 are analysed`,
        });
        continue;
      }
      const { filters, source } = await extractLayerFilters(model, layer.index);
      layers.push({ key, layer: layer.index, name: layer.name });
      subjects.push({ key, label: `layer ${layer.index} (${layer.name})`, layer: layer.index, filters, source });
    }
    if (subjects.length === 0) throw new Error(`${model.label}: none of its conv layers has 3x3 kernels`);
    this.#lab.show(subjects, subjects[0].key, this);
    this.layers = layers;
  }

  forget() {
    this.layers = [];
  }
}

// An imported model in the lab: every 3x3 conv layer becomes a subject of the analysis queue, shown together in
// the layer gallery and the layer profile (the paper's figure 6); the first analysable layer is the main view's.
import {
  extractLayerFilters,
  jsonFiles,
  loadModelFromFiles,
  loadModelFromUrl,
  type ImportedModel,
} from '../nn/modelImport';
import type { ConvLayer } from '../nn/convLayers';
import type { Subject } from './analyses.svelte';
import type { Lab } from './lab.svelte';

/** One conv layer of the imported model, as the layer gallery lists it. */
export interface GalleryLayer {
  key: string;
  layer: number;
  name: string;
  /** Why the layer is not analysed (not 3x3), if it is not. */
  skipped?: string;
}

export class ModelLayers {
  layers = $state.raw<GalleryLayer[]>([]);
  /** The model's conv layers, for the profile's rows (kernel shapes, filter counts). */
  convLayers = $state.raw<ConvLayer[]>([]);
  /** How the profile names the model. */
  title = $state('');
  /**
   * Which .json among the picked files to open: a folder may hold several manifests (face-api.js ships one per
   * network). Empty when there is only one.
   */
  manifest = $state('');
  #lab: Lab;

  constructor(lab: Lab) {
    this.#lab = lab;
    lab.register(this);
  }

  /** The analysis queue's key of conv layer `index`. */
  key(index: number): string {
    return `model:${index}`;
  }

  /** The .json files among the picked ones, when there is a choice to make. */
  get manifestChoices(): string[] {
    const names = jsonFiles(this.#lab.files).map((f) => f.name);
    return names.length > 1 ? names.sort() : [];
  }

  async open() {
    const lab = this.#lab;
    const url = lab.modelUrl.trim();
    if (!url && lab.files.length === 0) {
      lab.error =
        'Give the URL of a model.json or weights manifest, or pick or drop it together with its weight files.';
      return;
    }
    const choices = this.manifestChoices;
    const chosen = choices.includes(this.manifest) ? this.manifest : undefined;
    if (!url && choices.length && !chosen) {
      lab.error = `The files hold ${choices.length} manifests (${choices.join(', ')}): choose one.`;
      return;
    }
    await lab.importing(async () => {
      const model = url ? await loadModelFromUrl(url) : await loadModelFromFiles(lab.files, chosen);
      await this.#show(model);
    });
  }

  async #show(model: ImportedModel) {
    if (model.convLayers.length === 0) throw new Error(`${model.label}: the model has no conv layers`);
    const layers: GalleryLayer[] = [];
    const subjects: Subject[] = [];
    for (const layer of model.convLayers) {
      const key = this.key(layer.index);
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
    this.convLayers = model.convLayers;
    this.title = model.modelName ?? model.label.split(/[\\/]/).pop() ?? model.label;
  }

  forget() {
    this.layers = [];
    this.convLayers = [];
  }
}

import { highContrastPatches } from '../nn/datasets/patches';
import type { Subject } from './analyses.svelte';
import { decodeAll } from './images';

/**
 * Own photos as a subject of analysis: high-contrast 3x3 patches (the 2008 natural-images study), in the same
 * R^9 as learned filters, so the two can be compared.
 */
export async function imagePatchesSubject(files: File[]): Promise<Subject> {
  const images = await decodeAll(files);
  const filters = highContrastPatches(images);
  if (filters.length === 0) throw new Error('the images have no contrast: every 3x3 patch is flat');
  const names = files.map((f) => f.name).join(', ');
  return {
    key: 'images',
    label: `patches of ${files.length} image${files.length === 1 ? '' : 's'}`,
    layer: 1,
    filters,
    source: { kind: 'file', dataset: 'own images', file: names.slice(0, 500) },
  };
}

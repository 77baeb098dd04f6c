// Own images: the browser decodes them to grey levels here; src/lib/nn/datasets/patches.ts cuts them into 3x3
// patches.
import type { GreyImage } from '../nn/datasets/patches';

/**
 * Decodes an image file (any format the browser knows) to grey pixels. Large photos are scaled down so that the
 * longer side is at most `maxSide`: 3x3 patches of a 4000-pixel photo are mostly flat, and memory stays bounded.
 */
export async function decodeGrey(file: File, maxSide = 256): Promise<GreyImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${file.name}: not an image this browser can decode`);
  }
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser has no 2D canvas to decode images with');
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return { name: file.name, width, height, pixels: toGrey(ctx.getImageData(0, 0, width, height).data) };
}

/** RGBA bytes to grey levels 0-255 (Rec. 601 luma weights). */
export function toGrey(rgba: Uint8ClampedArray | Uint8Array): Float32Array {
  const n = rgba.length >> 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
  }
  return out;
}

export async function decodeAll(files: File[], maxSide?: number): Promise<GreyImage[]> {
  if (files.length === 0) throw new Error('choose at least one image');
  return Promise.all(files.map((f) => decodeGrey(f, maxSide)));
}

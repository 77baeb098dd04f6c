/**
 * A folder of photographs (JPEG or PNG) as grey images for the 2008 natural-patches analysis. Decoding is pure
 * JavaScript (jpeg-js, pngjs), so the command line needs no native image library; the browser decodes with its
 * own canvas instead (src/lib/lab/images.ts), with the same luma weights.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { GreyImage } from '../../lib/nn/datasets/patches';
import { CliError, at } from '../errors';

const JPEG = /\.jpe?g$/i;
const PNG_NAME = /\.png$/i;

/** RGBA bytes to grey levels 0-255 with Rec. 601 luma weights, as the lab does. */
function luma(rgba: Uint8Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    out[i] = 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!;
  }
  return out;
}

/** Decodes one JPEG or PNG file's bytes; the error names the file. */
export function decodePhoto(bytes: Uint8Array, name: string): GreyImage {
  try {
    if (JPEG.test(name)) {
      // 64 megapixels is far beyond any photo this analysis needs and keeps a hostile header from eating memory.
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 64 });
      return { width: img.width, height: img.height, pixels: luma(img.data, img.width, img.height), name };
    }
    if (PNG_NAME.test(name)) {
      const img = PNG.sync.read(Buffer.from(bytes));
      return { width: img.width, height: img.height, pixels: luma(img.data, img.width, img.height), name };
    }
  } catch (e) {
    throw new CliError(at(name, undefined, `cannot decode the image (${(e as Error).message.split('\n')[0]})`));
  }
  throw new CliError(at(name, undefined, 'not a .jpg, .jpeg or .png file'));
}

/** Every JPEG and PNG file of a folder (not its subfolders), sorted by name so a run is reproducible. */
export function readPhotoFolder(dir: string): GreyImage[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new CliError(`photos:${dir}: not a folder`, 2);
    names = readdirSync(dir)
      .filter((f) => JPEG.test(f) || PNG_NAME.test(f))
      .sort();
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`photos:${dir}: ${code === 'ENOENT' ? 'no such folder' : `cannot read (${code ?? e})`}`, 2);
  }
  if (names.length === 0) throw new CliError(`photos:${dir}: no .jpg, .jpeg or .png files in this folder`, 2);
  return names.map((f) => {
    const path = join(dir, f);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new CliError(at(path, undefined, `cannot read (${(e as NodeJS.ErrnoException).code ?? e})`));
    }
    return decodePhoto(bytes, path);
  });
}

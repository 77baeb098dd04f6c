import { kleinBottlePatch, primaryCirclePatch } from '../../src/lib/tda/patchModels';
import { highContrastPatches, type GreyImage } from '../../src/lib/nn/datasets/patches';
import { gaussian, rng } from './analysisSamples';

/**
 * Stand-ins for the data the automatic Mapper is judged on, which the repository does not hold.
 *
 * `trainedFirstLayer`: what 30 trainings of the paper's MNIST net leave in conv 1 after a few hundred steps: most
 * filters are edge detectors (linear gradients) that still carry much of their random initialisation, with
 * orientations crowded at horizontal and vertical; some are line (bar) detectors, the Klein bottle's other circle;
 * about a third have barely moved from their random start. How far training carried them (`reachMin`,
 * `reachSpan`, relative to the initial weights) is calibrated on 30 real trainings (WebGPU, PyTorch's init, step
 * 800; 1,920 filters): at X(50,30) both have a median nearest-neighbour distance of 0.36, a clustering scale delta
 * of about 0.85, a lens range of 1.9 and one H1 bar of 0.6-0.9 against 0.17-0.19 for the next.
 */
export function trainedFirstLayer({
  runs = 30,
  perRun = 64,
  seed = 3,
  edgeShare = 0.55,
  lineShare = 0.15,
  initScale = 0.1,
  reachMin = 0.06,
  reachSpan = 0.16,
}: {
  runs?: number;
  perRun?: number;
  seed?: number;
  edgeShare?: number;
  lineShare?: number;
  initScale?: number;
  reachMin?: number;
  reachSpan?: number;
} = {}): Float64Array {
  const random = rng(seed);
  const n = runs * perRun;
  const out = new Float64Array(n * 9);
  const orientation = () =>
    random() < 0.6 ? (Math.PI / 2) * Math.floor(4 * random()) + 0.25 * gaussian(random) : 2 * Math.PI * random();
  for (let i = 0; i < n; i++) {
    // Glorot-uniform initialisation of a 3x3x1 -> 64 kernel: limit sqrt(6 / (9 + 576)).
    const init = Array.from({ length: 9 }, () => (2 * random() - 1) * initScale);
    const u = random();
    let learned: Float64Array | null = null;
    if (u < edgeShare) learned = primaryCirclePatch(orientation());
    else if (u < edgeShare + lineShare) learned = kleinBottlePatch(orientation() / 2, 0.3 * gaussian(random));
    // How far training carried the filter from its start, relative to the initial weights.
    const reach = learned ? reachMin + reachSpan * random() : 0;
    const bias = 0.05 * gaussian(random);
    for (let j = 0; j < 9; j++) out[i * 9 + j] = bias + init[j] + (learned ? reach * learned[j] : 0);
  }
  return out;
}

/**
 * Grey images with what high-contrast natural patches are made of: straight and curved boundaries between
 * regions of different brightness at every orientation, softened by blur, plus texture noise; drawn as a
 * photographer's scene would be (a few overlapping shapes on a gradient background).
 */
export function syntheticPhotos(count: number, size = 160, seed = 5): GreyImage[] {
  const random = rng(seed);
  const images: GreyImage[] = [];
  for (let c = 0; c < count; c++) {
    const raw = new Float64Array(size * size);
    const gx = gaussian(random) * 0.3;
    const gy = gaussian(random) * 0.3;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) raw[y * size + x] = 100 + gx * x + gy * y;
    const shapes = 3 + Math.floor(4 * random());
    for (let s = 0; s < shapes; s++) {
      const level = 40 + 200 * random();
      const cx = size * random();
      const cy = size * random();
      if (random() < 0.5) {
        // A half-plane: a straight edge at a uniform orientation.
        const t = 2 * Math.PI * random();
        const ct = Math.cos(t);
        const st = Math.sin(t);
        for (let y = 0; y < size; y++)
          for (let x = 0; x < size; x++) if ((x - cx) * ct + (y - cy) * st > 0) raw[y * size + x] = level;
      } else {
        const r = size * (0.15 + 0.3 * random());
        for (let y = 0; y < size; y++)
          for (let x = 0; x < size; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) raw[y * size + x] = level;
      }
    }
    // Lens blur (two box passes, about a Gaussian of 1 pixel) then sensor noise.
    let img = raw;
    for (let pass = 0; pass < 2; pass++) {
      const next = new Float64Array(size * size);
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          let s = 0;
          let w = 0;
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy;
              const xx = x + dx;
              if (yy < 0 || yy >= size || xx < 0 || xx >= size) continue;
              s += img[yy * size + xx];
              w++;
            }
          next[y * size + x] = s / w;
        }
      img = next;
    }
    const pixels = new Float64Array(size * size);
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, img[i] + 0.5 * gaussian(random));
    images.push({ width: size, height: size, pixels, name: `synthetic ${c + 1}` });
  }
  return images;
}

/** `count` high-contrast patches of synthetic photos (5,000 drawn per image, the top 20% kept, as in 2008). */
export function photoPatches(count: number, seed = 5): Float64Array {
  const images = syntheticPhotos(Math.ceil(count / 1000), 160, seed);
  const patches = highContrastPatches(images, { samplesPerImage: 5000, topShare: 0.2, seed });
  return Float64Array.from(patches.subarray(0, count * 9));
}

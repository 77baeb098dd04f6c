/**
 * One run's checkpoint as bytes, for the CLI's DIR/checkpoints/run-NNN.ckpt (the browser keeps checkpoints in
 * IndexedDB instead). Layout, little-endian: 'KSCKPT01', u32 header length, JSON header
 * {run, seed, step, sizes}, zero padding to a multiple of 4, then params, adamM and adamV as float32, each
 * tensor in the order of sizes.
 */
import type { Checkpoint } from './training';

const MAGIC = 'KSCKPT01';

export class CheckpointFileError extends Error {}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const sizes = c.params.map((p) => p.length);
  const json = new TextEncoder().encode(JSON.stringify({ run: c.run, seed: c.seed, step: c.step, sizes }));
  const dataAt = Math.ceil((12 + json.length) / 4) * 4;
  const floats = 3 * sizes.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(dataAt + floats * 4);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  const view = new DataView(out.buffer);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let at = dataAt;
  for (const group of [c.params, c.adamM, c.adamV]) {
    group.forEach((a, i) => {
      if (a.length !== sizes[i])
        throw new CheckpointFileError(`tensor ${i} has ${a.length} values, expected ${sizes[i]}`);
      for (let k = 0; k < a.length; k++, at += 4) view.setFloat32(at, a[k], true);
    });
  }
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, file = 'checkpoint'): Checkpoint {
  if (bytes.length < 12 || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) {
    throw new CheckpointFileError(`${file}: not a Kleinscope checkpoint`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  let h: { run?: unknown; seed?: unknown; step?: unknown; sizes?: unknown };
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  } catch {
    throw new CheckpointFileError(`${file}: unreadable header`);
  }
  const nat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!nat(h.run) || !nat(h.seed) || !nat(h.step) || !Array.isArray(h.sizes) || !h.sizes.every(nat)) {
    throw new CheckpointFileError(`${file}: bad header`);
  }
  const sizes = h.sizes as number[];
  const dataAt = Math.ceil((12 + length) / 4) * 4;
  const floats = 3 * sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== dataAt + floats * 4)
    throw new CheckpointFileError(`${file}: truncated or padded (${bytes.length} bytes)`);
  let at = dataAt;
  const group = () =>
    sizes.map((n) => {
      const a = new Float32Array(n);
      for (let k = 0; k < n; k++, at += 4) a[k] = view.getFloat32(at, true);
      return a;
    });
  const params = group();
  const adamM = group();
  const adamV = group();
  return { run: h.run, seed: h.seed, step: h.step, params, adamM, adamV };
}

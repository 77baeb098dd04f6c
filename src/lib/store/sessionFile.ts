/**
 * One training session as one file, for export and import: every snapshot's kernels and every run's latest
 * checkpoint, so an imported session can be analysed and can carry on training.
 *
 * Layout (little-endian): 'KSSESS01', u32 header length, the header as UTF-8 JSON, zero padding to a multiple
 * of 4, then the float32 data. The header lists each array as {offset, length} in floats from the data's start.
 */
import { z } from 'zod';
import { parameterSpecs, sizeOf, validateArchitecture } from '../nn/architectures';
import type { Checkpoint, Snapshot } from '../nn/training';
import { SessionFileError } from './errors';
import type { Session } from './types';

export const SESSION_FORMAT = 'kleinscope/training-session@1';
const MAGIC = 'KSSESS01';

const int = z.number().int();
const count = int.nonnegative();
const span = z.object({ offset: count, length: count });

const architectureSchema = z.object({
  name: z.string().max(80),
  inputShape: z.tuple([int.positive(), int.positive(), int.positive()]),
  conv: z.array(int.positive()).max(6),
  dense: z.array(int.positive()).max(4),
  classes: int.positive(),
});

export const sessionConfigSchema = z.object({
  arch: architectureSchema,
  dataset: z.string().min(1).max(200),
  runs: int.min(1).max(10_000),
  steps: count,
  batchSize: int.positive(),
  learningRate: z.number().positive().finite(),
  snapshots: z.array(count).max(10_000),
  seed: count,
  ensemble: int.positive().optional(),
  init: z.enum(['glorot', 'pytorch']).optional(),
  adamEpsilon: z.number().positive().lt(1).optional(),
  adamForm: z.enum(['keras', 'pytorch']).optional(),
  sampling: z.enum(['without-replacement', 'with-replacement']).optional(),
});

const sessionSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().max(200).optional(),
  createdAt: z.string().max(40),
  updatedAt: z.string().max(40),
  status: z.enum(['training', 'paused', 'complete', 'cancelled']),
  backend: z.string().max(20).optional(),
  config: sessionConfigSchema,
});

const headerSchema = z.object({
  format: z.literal(SESSION_FORMAT),
  exportedAt: z.string(),
  session: sessionSchema,
  snapshots: z.array(
    z.object({
      run: count,
      seed: count,
      step: count,
      loss: z.number().nullable(),
      accuracy: z.number().min(0).max(1),
      kernels: z.array(z.object({ layer: int.positive(), shape: z.tuple([count, count, count, count]), data: span })),
    }),
  ),
  checkpoints: z.array(
    z.object({
      run: count,
      seed: count,
      step: count,
      params: z.array(span),
      adamM: z.array(span),
      adamV: z.array(span),
    }),
  ),
});

export interface SessionBundle {
  session: Session;
  snapshots: Snapshot[];
  checkpoints: Checkpoint[];
}

/** Encodes a session with its snapshots and checkpoints as one file. */
export function encodeSession(bundle: SessionBundle, exportedAt = new Date().toISOString()): Uint8Array {
  const arrays: Float32Array[] = [];
  let floats = 0;
  const put = (a: Float32Array) => {
    arrays.push(a);
    const s = { offset: floats, length: a.length };
    floats += a.length;
    return s;
  };
  const header = {
    format: SESSION_FORMAT,
    exportedAt,
    session: bundle.session,
    snapshots: bundle.snapshots.map((s) => ({
      run: s.run,
      seed: s.seed,
      step: s.step,
      loss: Number.isFinite(s.loss) ? s.loss : null,
      accuracy: s.accuracy,
      kernels: s.kernels.map((k) => ({ layer: k.layer, shape: k.shape, data: put(k.data) })),
    })),
    checkpoints: bundle.checkpoints.map((c) => ({
      run: c.run,
      seed: c.seed,
      step: c.step,
      params: c.params.map(put),
      adamM: c.adamM.map(put),
      adamV: c.adamV.map(put),
    })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataAt = Math.ceil((12 + json.length) / 4) * 4;
  const out = new Uint8Array(dataAt + floats * 4);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  const view = new DataView(out.buffer, dataAt);
  let at = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) view.setFloat32((at + i) * 4, a[i], true);
    at += a.length;
  }
  return out;
}

/** Decodes and checks a session file; every failure is a SessionFileError that says what is wrong. */
export function decodeSession(bytes: Uint8Array, file = 'session file'): SessionBundle {
  if (bytes.length < 12 || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) {
    throw new SessionFileError(`${file}: not a Kleinscope training session (no '${MAGIC}' header)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new SessionFileError(`${file}: truncated (header runs past the end)`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw new SessionFileError(`${file}: the header is not valid JSON`);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SessionFileError(`${file}: header field '${issue.path.join('.') || '(root)'}': ${issue.message}`);
  }
  const h = parsed.data;
  try {
    validateArchitecture(h.session.config.arch);
  } catch (e) {
    throw new SessionFileError(`${file}: session.config.arch: ${(e as Error).message}`);
  }
  const dataAt = Math.ceil((12 + headerLength) / 4) * 4;
  const floats = Math.max(0, Math.floor((bytes.length - dataAt) / 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset + Math.min(dataAt, bytes.length));
  const read = (s: { offset: number; length: number }, where: string, expected?: number) => {
    if (s.offset + s.length > floats)
      throw new SessionFileError(`${file}: ${where} lies past the end of the data (truncated file?)`);
    if (expected !== undefined && s.length !== expected) {
      throw new SessionFileError(`${file}: ${where} has ${s.length} values, expected ${expected}`);
    }
    const a = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) a[i] = view.getFloat32((s.offset + i) * 4, true);
    return a;
  };
  const specs = parameterSpecs(h.session.config.arch);
  const snapshots: Snapshot[] = h.snapshots.map((s, i) => ({
    run: s.run,
    seed: s.seed,
    step: s.step,
    loss: s.loss ?? NaN,
    accuracy: s.accuracy,
    kernels: s.kernels.map((k, j) => ({
      layer: k.layer,
      shape: k.shape,
      data: read(k.data, `snapshots.${i}.kernels.${j}`, sizeOf(k.shape)),
    })),
  }));
  const checkpoints: Checkpoint[] = h.checkpoints.map((c, i) => {
    const arrays = (field: 'params' | 'adamM' | 'adamV') => {
      if (c[field].length !== specs.length) {
        throw new SessionFileError(
          `${file}: checkpoints.${i}.${field} has ${c[field].length} tensors, expected ${specs.length}`,
        );
      }
      return c[field].map((s, j) => read(s, `checkpoints.${i}.${field}.${j}`, sizeOf(specs[j].shape)));
    };
    return {
      run: c.run,
      seed: c.seed,
      step: c.step,
      params: arrays('params'),
      adamM: arrays('adamM'),
      adamV: arrays('adamV'),
    };
  });
  for (const s of [...snapshots, ...checkpoints]) {
    if (s.run >= h.session.config.runs)
      throw new SessionFileError(`${file}: run ${s.run} is beyond the session's ${h.session.config.runs} runs`);
  }
  return { session: h.session as Session, snapshots, checkpoints };
}

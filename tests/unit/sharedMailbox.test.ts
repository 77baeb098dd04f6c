import { afterAll, describe, expect, test } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { decode, encode } from '../../src/lib/threads/plainCodec';
import { createMailbox, MailboxReader, MailboxWriter, type MailboxRecord } from '../../src/lib/threads/sharedMailbox';

const roundTrip = (x: unknown) => decode(encode(x));

/** Bit for bit (NaN payloads and -0 included), and quick on millions of elements, unlike a deep equal. */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A seeded series of numbers, so that large payloads are not all zeros. */
function filled<A extends Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array>(a: A, seed: number): A {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = a instanceof Float64Array || a instanceof Float32Array ? s / 2 ** 32 - 0.5 : s;
  }
  return a;
}

describe('plainCodec', () => {
  test('every kind of value comes back equal', () => {
    const values: unknown[] = [
      null,
      undefined,
      true,
      false,
      0,
      -0,
      1,
      -1,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      2 ** 53,
      0.1,
      -1e-300,
      Number.MAX_VALUE,
      NaN,
      Infinity,
      -Infinity,
      '',
      'plain',
      'ünïcödé, 中文, and a 🧪 outside the BMP',
      [],
      [1, 'two', null, [3, [4]], { five: 5 }],
      {},
      { a: 1, nested: { b: [true, false], c: null, u: undefined }, ['__proto__']: 'a plain key' },
      Object.create(null) as object,
    ];
    for (const v of values) {
      const back = roundTrip(v);
      if (!Object.is(back, v)) expect(back).toEqual(v);
    }
    // -0 and NaN are kept exactly, not as 0.
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Number.isNaN(roundTrip(NaN))).toBe(true);
    const proto = roundTrip({ ['__proto__']: 'x' }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__']);
  });

  test('every typed array kind, views into a larger buffer, empty ones and ArrayBuffers', () => {
    const backing = new ArrayBuffer(64);
    new Uint8Array(backing).forEach((_, i, a) => (a[i] = i * 7));
    const arrays = [
      new Int8Array([-128, 0, 127]),
      new Uint8Array([0, 255]),
      new Uint8ClampedArray([0, 128, 255]),
      new Int16Array([-32768, 32767]),
      new Uint16Array([65535]),
      new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
      new Uint32Array([2 ** 32 - 1]),
      new Float32Array([0.5, -Infinity, NaN]),
      new Float64Array([Math.PI, -0]),
      new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
      new BigUint64Array([2n ** 64n - 1n]),
      // A view at an odd offset: only its own bytes travel.
      new Uint8Array(backing, 3, 5),
      new Float64Array(backing, 8, 3),
      new Int32Array(0),
    ];
    for (const a of arrays) {
      const back = roundTrip(a) as typeof a;
      expect(back.constructor).toBe(a.constructor);
      expect(back.length).toBe(a.length);
      expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength)).toEqual(
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      );
    }
    const buffer = roundTrip(backing) as ArrayBuffer;
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(buffer)).toEqual(new Uint8Array(backing));
    // Shared memory cannot be shared through bytes: it arrives as a copy in ordinary memory.
    const shared = new Int32Array(new SharedArrayBuffer(12));
    shared.set([1, 2, 3]);
    const copy = roundTrip({ shared }) as { shared: Int32Array };
    expect(copy.shared.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...copy.shared]).toEqual([1, 2, 3]);
  });

  test("a persistence core's answer, tens of megabytes, comes back exactly", () => {
    const n = 1_500_000;
    const reply = {
      chunk: 12,
      result: {
        counts: filled(new Int32Array(n), 1),
        d: filled(new Float32Array(n), 2),
        x: filled(new Float64Array(n), 3),
        c: filled(new Uint8Array(n), 4),
      },
    };
    const bytes = encode(reply);
    expect(bytes.length).toBeGreaterThan(n * 17);
    const back = decode(bytes) as typeof reply;
    expect(Object.keys(back)).toEqual(['chunk', 'result']);
    expect(back.chunk).toBe(12);
    expect(Object.keys(back.result)).toEqual(['counts', 'd', 'x', 'c']);
    for (const key of ['counts', 'd', 'x', 'c'] as const) {
      expect(back.result[key].constructor).toBe(reply.result[key].constructor);
      expect(sameBytes(back.result[key], reply.result[key])).toBe(true);
    }
  });

  test('refuses what it cannot carry, and bytes that are not an encoding', () => {
    expect(() => encode(() => 1)).toThrow(TypeError);
    expect(() => encode(Symbol('s'))).toThrow(TypeError);
    expect(() => encode(1n)).toThrow(TypeError);
    expect(() => encode(new Map())).toThrow(/Map/);
    expect(() => encode({ when: new Date() })).toThrow(/Date/);
    expect(() => encode(new DataView(new ArrayBuffer(4)))).toThrow(/DataView/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encode(cycle)).toThrow(/cycle/);
    // The same object twice is no cycle.
    const twice = { a: [1], b: null as unknown };
    twice.b = twice.a;
    expect(roundTrip(twice)).toEqual({ a: [1], b: [1] });
    const good = encode({ a: [1, 2, 3] });
    expect(() => decode(good.subarray(0, good.length - 1))).toThrow(/end in the middle/);
    expect(() => decode(Uint8Array.of(...good, 0))).toThrow(/left over/);
    expect(() => decode(Uint8Array.of(200))).toThrow(/unknown tag/);
  });
});

describe('sharedMailbox, one thread', () => {
  test('records come out whole, in order, with their tags; the box grows for a large one', () => {
    const box = createMailbox(undefined, 256, 1 << 24);
    const writer = new MailboxWriter(box);
    const reader = new MailboxReader(box);
    expect(reader.drain()).toEqual([]);
    const big = filled(new Float64Array(200_000), 9);
    writer.write(1, { chunk: 0, result: 3 });
    writer.write(2, { error: 'boom', name: 'RangeError' });
    writer.write(2, { chunk: 1, result: big });
    expect(box.data.byteLength).toBeGreaterThan(big.byteLength);
    expect(writer.waits).toBe(0);
    const records = reader.drain();
    expect(records.slice(0, 2)).toEqual([
      { tag: 1, value: { chunk: 0, result: 3 } },
      { tag: 2, value: { error: 'boom', name: 'RangeError' } },
    ]);
    expect(records.length).toBe(3);
    expect(records[2].tag).toBe(2);
    const last = records[2].value as { chunk: number; result: Float64Array };
    expect(last.chunk).toBe(1);
    expect(sameBytes(last.result, big)).toBe(true);
    // Emptied: the next drain has nothing, the next record lands at the start.
    expect(reader.drain()).toEqual([]);
    writer.write(3, 'again');
    expect(reader.drain()).toEqual([{ tag: 3, value: 'again' }]);
  });

  test('a value it cannot encode is refused before anything is written', () => {
    const box = createMailbox(undefined, 256, 256);
    const writer = new MailboxWriter(box);
    expect(() => writer.write(1, { f: () => 0 })).toThrow(TypeError);
    expect(new MailboxReader(box).drain()).toEqual([]);
  });
});

// A writer on a worker thread, the reader here, blocked in Atomics.wait between drains as the analysis worker is.
const dir = mkdtempSync(join(tmpdir(), 'mailbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writerThread(): Promise<string> {
  const out = await build({
    stdin: {
      contents: `
        import { parentPort, workerData } from 'node:worker_threads';
        import { MailboxWriter } from './src/lib/threads/sharedMailbox';
        const writer = new MailboxWriter(workerData.box);
        for (const [tag, n] of workerData.records) {
          const a = new Float64Array(n);
          for (let i = 0; i < n; i++) a[i] = tag * 1e6 + i;
          writer.write(tag, { chunk: tag, result: { x: a, label: 'record ' + tag } });
        }
        parentPort.postMessage({ records: writer.records, waits: writer.waits });`,
      resolveDir: new URL('../..', import.meta.url).pathname,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'error',
  });
  const file = join(dir, `writer-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, out.outputFiles[0].text);
  return file;
}

describe('sharedMailbox, across threads', () => {
  test.each([
    ['a fixed box much smaller than the records: they go in pieces', 4096, 4096],
    ['a growable box', 4096, 1 << 24],
  ])('%s', async (_name, initial, max) => {
    const box = createMailbox(undefined, initial, max);
    // Records of 8 bytes to 4 MB, so that most are many times the fixed box.
    const records = [
      [1, 1],
      [2, 500_000],
      [3, 10],
      [4, 100_000],
      [5, 0],
    ];
    const worker = new Worker(await writerThread(), { workerData: { box, records } });
    const done = new Promise<{ records: number; waits: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const reader = new MailboxReader(box);
    const got: MailboxRecord[] = [];
    while (got.length < records.length) {
      const seen = Atomics.load(box.signal, 0);
      got.push(...reader.drain());
      if (got.length < records.length) Atomics.wait(box.signal, 0, seen, 10_000);
    }
    const stats = await done;
    await worker.terminate();
    expect(stats.records).toBe(records.length);
    if (max === initial) expect(stats.waits).toBeGreaterThan(0);
    else expect(stats.waits).toBe(0);
    expect(got.map((r) => r.tag)).toEqual([1, 2, 3, 4, 5]);
    for (const [tag, n] of records) {
      const { value } = got.find((r) => r.tag === tag)!;
      const { chunk, result } = value as { chunk: number; result: { x: Float64Array; label: string } };
      expect(chunk).toBe(tag);
      expect(result.label).toBe(`record ${tag}`);
      expect(
        sameBytes(
          result.x,
          Float64Array.from({ length: n }, (_, i) => tag * 1e6 + i),
        ),
      ).toBe(true);
    }
  });
});

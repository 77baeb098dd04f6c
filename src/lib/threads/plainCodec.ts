/**
 * Plain data to bytes and back: null, undefined, booleans, numbers, strings, arrays, plain objects and typed arrays
 * (and ArrayBuffers), nested in any way. This is what a worker's answer holds when it has to travel through shared
 * memory instead of postMessage (sharedMailbox.ts): a thread blocked in Atomics.wait cannot receive messages.
 * Anything else (a function, a Map, a Date, a cycle...) is refused with a TypeError rather than changed.
 *
 * Typed arrays are copied; one over a SharedArrayBuffer arrives as a copy in ordinary memory, as it cannot be
 * shared through bytes.
 */

const NULL = 0;
const UNDEFINED = 1;
const FALSE = 2;
const TRUE = 3;
const INT = 4;
const FLOAT = 5;
const STRING = 6;
const ARRAY = 7;
const OBJECT = 8;
const TYPED = 9;
const BUFFER = 10;

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

type TypedArrayClass = { new (buffer: ArrayBuffer, offset: number, length: number): TypedArray; name: string };

// The index of a typed array's kind is its byte on the wire: keep the order.
const KINDS: TypedArrayClass[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Bytes appended at the end of a buffer that doubles as it fills. */
class ByteWriter {
  bytes: Uint8Array;
  view: DataView;
  size: number;

  constructor(reserve: number) {
    this.bytes = new Uint8Array(Math.max(64, reserve * 2));
    this.view = new DataView(this.bytes.buffer);
    this.size = reserve;
  }

  room(n: number): number {
    const at = this.size;
    if (at + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(at + n, 2 * this.bytes.length));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.size = at + n;
    return at;
  }

  // room() first, in a statement of its own: it may replace this.bytes and this.view.
  u8(v: number): void {
    const at = this.room(1);
    this.bytes[at] = v;
  }

  u32(v: number): void {
    const at = this.room(4);
    this.view.setUint32(at, v, true);
  }

  i32(v: number): void {
    const at = this.room(4);
    this.view.setInt32(at, v, true);
  }

  f64(v: number): void {
    const at = this.room(8);
    this.view.setFloat64(at, v, true);
  }

  raw(src: Uint8Array): void {
    const at = this.room(src.length);
    this.bytes.set(src, at);
  }
}

function write(w: ByteWriter, x: unknown, seen: Set<object>): void {
  if (x === null) return w.u8(NULL);
  switch (typeof x) {
    case 'undefined':
      return w.u8(UNDEFINED);
    case 'boolean':
      return w.u8(x ? TRUE : FALSE);
    case 'number':
      // Small integers (most counts and indices) in 4 bytes; -0 stays a float so that it comes back as -0.
      if ((x | 0) === x && !Object.is(x, -0)) {
        w.u8(INT);
        return w.i32(x);
      }
      w.u8(FLOAT);
      return w.f64(x);
    case 'string': {
      const b = utf8.encode(x);
      w.u8(STRING);
      w.u32(b.length);
      return w.raw(b);
    }
    case 'object':
      break;
    default:
      throw new TypeError(`plainCodec: cannot encode a ${typeof x}`);
  }
  const o = x as object;
  if (ArrayBuffer.isView(o)) {
    const kind = KINDS.findIndex((k) => o.constructor === k);
    if (kind < 0) throw new TypeError(`plainCodec: cannot encode a ${o.constructor.name}`);
    const a = o as TypedArray;
    w.u8(TYPED);
    w.u8(kind);
    w.u32(a.length);
    return w.raw(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  if (o instanceof ArrayBuffer || o instanceof SharedArrayBuffer) {
    w.u8(BUFFER);
    w.u32(o.byteLength);
    return w.raw(new Uint8Array(o));
  }
  if (seen.has(o)) throw new TypeError('plainCodec: cannot encode a cycle');
  seen.add(o);
  if (Array.isArray(o)) {
    w.u8(ARRAY);
    w.u32(o.length);
    for (const item of o) write(w, item, seen);
  } else {
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`plainCodec: cannot encode a ${o.constructor?.name ?? 'object'}`);
    const keys = Object.keys(o);
    w.u8(OBJECT);
    w.u32(keys.length);
    for (const key of keys) {
      write(w, key, seen);
      write(w, (o as Record<string, unknown>)[key], seen);
    }
  }
  seen.delete(o);
}

/**
 * The bytes of `x`, after `reserve` bytes left free for the caller (a frame header, say). The result views a
 * buffer that may be longer.
 */
export function encode(x: unknown, reserve = 0): Uint8Array {
  const w = new ByteWriter(reserve);
  write(w, x, new Set());
  return w.bytes.subarray(0, w.size);
}

/** Decodes what encode() wrote (from `bytes[0]`, after any reserved bytes the caller skipped). */
export function decode(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new RangeError('plainCodec: the bytes end in the middle of a value');
    const here = at;
    at += n;
    return here;
  };
  const u32 = () => view.getUint32(need(4), true);
  // A copy: a buffer of its own, aligned for any typed array (the encoding does not align its bytes).
  const raw = (n: number) => {
    const from = need(n);
    return bytes.slice(from, from + n);
  };
  const read = (): unknown => {
    const tag = bytes[need(1)];
    switch (tag) {
      case NULL:
        return null;
      case UNDEFINED:
        return undefined;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case INT:
        return view.getInt32(need(4), true);
      case FLOAT:
        return view.getFloat64(need(8), true);
      case STRING:
        return fromUtf8.decode(raw(u32()));
      case ARRAY: {
        const n = u32();
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = read();
        return out;
      }
      case OBJECT: {
        const n = u32();
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = read();
          if (typeof key !== 'string') throw new RangeError('plainCodec: an object key is not a string');
          // defineProperty: a key named __proto__ stays a plain key, as it was in the encoded object.
          Object.defineProperty(out, key, { value: read(), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      case TYPED: {
        const kind = KINDS[bytes[need(1)]];
        if (kind === undefined) throw new RangeError('plainCodec: unknown typed array kind');
        const length = u32();
        const size = (kind as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
        return new kind(raw(length * size).buffer, 0, length);
      }
      case BUFFER:
        return raw(u32()).buffer;
      default:
        throw new RangeError(`plainCodec: unknown tag ${tag}`);
    }
  };
  const value = read();
  if (at !== bytes.length) throw new RangeError('plainCodec: bytes left over after the value');
  return value;
}

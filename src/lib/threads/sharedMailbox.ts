/**
 * One thread's answers to another through shared memory, for a reader that cannot receive messages: a thread
 * blocked in Atomics.wait (the persistence core waiting for its workers in a browser worker) never runs its event
 * loop, so postMessage would not reach it, but bytes in a SharedArrayBuffer do.
 *
 * A mailbox is one writer's byte stream to one reader. The writer appends framed records (a length, a tag and the
 * value's bytes, plainCodec.ts) and bumps a signal that the reader waits on; the reader takes all the bytes there
 * are at once, empties the box, and decodes the records it has whole. A short lock guards the length and the
 * copies. The box grows (a growable SharedArrayBuffer, up to its maximum) when a record does not fit; past the
 * maximum, or where buffers cannot grow, a record goes in pieces, the writer waiting for the reader to empty the
 * box between them. Nothing is ever cut off: a record of any size arrives whole.
 */
import { decode, encode } from './plainCodec';

// The mailbox's control words.
const LOCK = 0;
/** Bytes in the box that the reader has not taken yet. */
const LENGTH = 1;
/** Times the reader emptied the box: a writer waiting for room waits for this to move. */
const DRAINS = 2;
const CONTROL_WORDS = 3;

/** A frame's header: the byte length of the value, then the writer's tag (the broadcast it answers, say). */
const HEADER = 8;

/** What travels to the writer's thread (by postMessage, once) so that it can write. */
export interface MailboxShape {
  control: Int32Array;
  data: SharedArrayBuffer;
  /** Shared by all the mailboxes a reader watches: moves whenever any of them has new bytes. */
  signal: Int32Array;
}

export const INITIAL_BYTES = 1 << 20;
export const MAX_BYTES = 1 << 27;

/** A growable SharedArrayBuffer where the platform has them, else a fixed one of `initial` bytes. */
function dataBuffer(initial: number, max: number): SharedArrayBuffer {
  try {
    const b = new SharedArrayBuffer(initial, { maxByteLength: Math.max(initial, max) });
    if (b.growable) return b;
  } catch {
    // No growable buffers, or no room for the reservation: a fixed box still carries everything, in pieces.
  }
  return new SharedArrayBuffer(initial);
}

/** A fresh, empty mailbox; `signal` may be shared with other mailboxes of the same reader. */
export function createMailbox(
  signal = new Int32Array(new SharedArrayBuffer(4)),
  initial = INITIAL_BYTES,
  max = MAX_BYTES,
): MailboxShape {
  if (!(initial >= HEADER + 1 && max >= initial)) throw new RangeError(`mailbox: bad sizes ${initial}, ${max}`);
  return {
    control: new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS)),
    data: dataBuffer(initial, max),
    signal,
  };
}

function lock(control: Int32Array): void {
  while (Atomics.compareExchange(control, LOCK, 0, 1) !== 0) Atomics.wait(control, LOCK, 1);
}

function unlock(control: Int32Array): void {
  Atomics.store(control, LOCK, 0);
  Atomics.notify(control, LOCK, 1);
}

/** The writing end (one thread). */
export class MailboxWriter {
  readonly #box: MailboxShape;
  readonly #max: number;
  /** Records written, and how often the writer had to wait for the reader to make room. */
  records = 0;
  waits = 0;

  constructor(box: MailboxShape) {
    this.#box = box;
    this.#max = box.data.growable ? box.data.maxByteLength : box.data.byteLength;
  }

  /**
   * Writes `value` under `tag` (an unsigned 32-bit number). Throws plainCodec's TypeError, before writing anything,
   * for a value it cannot encode. Blocks only while the box is full at its maximum size.
   */
  write(tag: number, value: unknown): void {
    const frame = encode(value, HEADER);
    const head = new DataView(frame.buffer, frame.byteOffset, HEADER);
    head.setUint32(0, frame.length - HEADER, true);
    head.setUint32(4, tag >>> 0, true);
    const { control, data, signal } = this.#box;
    for (let sent = 0; sent < frame.length;) {
      lock(control);
      const used = Atomics.load(control, LENGTH);
      const left = frame.length - sent;
      if (used + left > data.byteLength && data.growable && data.byteLength < this.#max)
        data.grow(Math.min(this.#max, Math.max(2 * data.byteLength, used + left)));
      const n = Math.min(left, data.byteLength - used);
      if (n > 0) {
        new Uint8Array(data, used, n).set(frame.subarray(sent, sent + n));
        Atomics.store(control, LENGTH, used + n);
        sent += n;
      }
      const drains = Atomics.load(control, DRAINS);
      unlock(control);
      if (n > 0) {
        Atomics.add(signal, 0, 1);
        Atomics.notify(signal, 0);
      } else {
        // Full at its largest: the rest waits until the reader empties the box (it reads under the lock, so a
        // drain after the unlock above has already moved DRAINS, and the wait returns at once).
        this.waits++;
        Atomics.wait(control, DRAINS, drains);
      }
    }
    this.records++;
  }
}

export interface MailboxRecord {
  tag: number;
  value: unknown;
}

/** The reading end (one thread). */
export class MailboxReader {
  readonly #box: MailboxShape;
  /** Bytes taken from the box, [0, #length), of which the first #length bytes do not make a whole record. */
  #taken = new Uint8Array(0);
  #length = 0;

  constructor(box: MailboxShape) {
    this.#box = box;
  }

  /** Takes every byte in the box and returns the records now whole, in the order they were written. */
  drain(): MailboxRecord[] {
    const { control, data } = this.#box;
    lock(control);
    const n = Atomics.load(control, LENGTH);
    if (n > 0) {
      if (this.#length + n > this.#taken.length) {
        // Doubling: a record larger than the box arrives in many pieces, each copied here once.
        const grown = new Uint8Array(Math.max(this.#length + n, 2 * this.#taken.length));
        grown.set(this.#taken.subarray(0, this.#length));
        this.#taken = grown;
      }
      this.#taken.set(new Uint8Array(data, 0, n), this.#length);
      this.#length += n;
      Atomics.store(control, LENGTH, 0);
      Atomics.add(control, DRAINS, 1);
    }
    unlock(control);
    if (n === 0) return [];
    Atomics.notify(control, DRAINS);
    const taken = this.#taken;
    const view = new DataView(taken.buffer);
    const out: MailboxRecord[] = [];
    let at = 0;
    while (this.#length - at >= HEADER) {
      const size = view.getUint32(at, true);
      if (this.#length - at - HEADER < size) break;
      out.push({ tag: view.getUint32(at + 4, true), value: decode(taken.subarray(at + HEADER, at + HEADER + size)) });
      at += HEADER + size;
    }
    // What is left is part of one record: moved to the front once, then appended to until it is whole.
    if (at > 0) taken.copyWithin(0, at, this.#length);
    this.#length -= at;
    // A huge record's buffer is not kept once it is decoded.
    if (this.#length === 0 && taken.length > 4 * INITIAL_BYTES) this.#taken = new Uint8Array(0);
    return out;
  }
}

/**
 * CIFAR-10 from the official binary batches (data_batch_1.bin ... data_batch_5.bin, test_batch.bin): each record
 * is 3073 bytes, one label byte (0-9) then a 32x32 image as 1024 red, 1024 green and 1024 blue bytes.
 */
import { DatasetError, type Dataset, type Split } from './dataset';

export const RECORD_BYTES = 3073;
export const RECORDS_PER_BATCH = 10_000;
const SIDE = 32;
const PLANE = SIDE * SIDE;

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/**
 * Parses one batch file into a Split with channels last (the layout tfjs convolutions use). Throws a
 * DatasetError that names the file and says what is wrong: empty, a length that is not whole records, or a
 * label byte outside 0-9 (the usual sign of a CIFAR-100 file, of the Python pickle version, or of another file).
 */
export function parseCifarBatch(bytes: Uint8Array, file: string): Split {
  if (bytes.length === 0) throw new DatasetError(`${file}: the file is empty`);
  if (bytes.length % RECORD_BYTES !== 0) {
    const hint =
      bytes[0] === 0x80 ? ' (it looks like a Python pickle: use the binary version, cifar-10-binary.tar.gz)' : '';
    throw new DatasetError(
      `${file}: ${bytes.length} bytes is not a whole number of ${RECORD_BYTES}-byte CIFAR-10 records (1 label + 32x32x3 pixels)${hint}`,
    );
  }
  const count = bytes.length / RECORD_BYTES;
  const labels = new Uint8Array(count);
  const images = new Uint8Array(count * PLANE * 3);
  for (let r = 0; r < count; r++) {
    const at = r * RECORD_BYTES;
    const label = bytes[at];
    if (label > 9) {
      throw new DatasetError(
        `${file}: record ${r + 1} (byte ${at}) has label ${label}, not 0-9: not a CIFAR-10 binary batch (CIFAR-100 records are 3074 bytes)`,
      );
    }
    labels[r] = label;
    const out = r * PLANE * 3;
    for (let p = 0; p < PLANE; p++) {
      images[out + p * 3] = bytes[at + 1 + p];
      images[out + p * 3 + 1] = bytes[at + 1 + PLANE + p];
      images[out + p * 3 + 2] = bytes[at + 1 + 2 * PLANE + p];
    }
  }
  return { images, labels, count };
}

function concat(splits: Split[]): Split {
  const count = splits.reduce((n, s) => n + s.count, 0);
  const images = new Uint8Array(count * PLANE * 3);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const s of splits) {
    images.set(s.images, n * PLANE * 3);
    labels.set(s.labels, n);
    n += s.count;
  }
  return { images, labels, count };
}

/**
 * Builds a dataset from batch files. A file named test_batch.bin becomes the test split; without one, the last
 * `testShare` of the records are held out (so a single data_batch_1.bin is enough to train and score).
 */
export function cifar10Dataset(files: { name: string; bytes: Uint8Array }[], testShare = 0.1): Dataset {
  if (files.length === 0) throw new DatasetError('no CIFAR-10 batch files given (data_batch_N.bin, test_batch.bin)');
  const isTest = (name: string) => /(^|[\\/])test_batch\.bin$/.test(name);
  const train = concat(files.filter((f) => !isTest(f.name)).map((f) => parseCifarBatch(f.bytes, f.name)));
  const tests = files.filter((f) => isTest(f.name)).map((f) => parseCifarBatch(f.bytes, f.name));
  let test: Split;
  let trainSplit: Split;
  if (tests.length) {
    test = concat(tests);
    trainSplit = train;
    if (trainSplit.count === 0) throw new DatasetError('only test_batch.bin given; add at least one data_batch_N.bin');
  } else {
    const nTest = Math.max(1, Math.round(train.count * testShare));
    if (train.count - nTest < 1)
      throw new DatasetError(`only ${train.count} records: too few to split into train and test`);
    const cut = train.count - nTest;
    trainSplit = {
      images: train.images.subarray(0, cut * PLANE * 3),
      labels: train.labels.subarray(0, cut),
      count: cut,
    };
    test = { images: train.images.subarray(cut * PLANE * 3), labels: train.labels.subarray(cut), count: nTest };
  }
  return { name: 'cifar10', inputShape: [SIDE, SIDE, 3], classes: 10, train: trainSplit, test };
}

/**
 * The networks the lab trains, as plain data. A network is a stack of 3x3 conv layers (each: valid padding,
 * ReLU, then 2x2 max pooling), then dense ReLU layers, then a softmax over the classes. Plain data, so a
 * session stored in IndexedDB or a manifest on disk says exactly what was trained.
 */

export interface Architecture {
  /** 'mnist-paper', 'cifar-paper' or 'custom'. */
  name: string;
  /** [height, width, channels] of one input image. */
  inputShape: [number, number, number];
  /** Number of filters in each 3x3 conv layer, in order (conv layer 1 first). */
  conv: number[];
  /** Units of each hidden dense layer. */
  dense: number[];
  classes: number;
}

/** One trainable tensor of the network, in TensorFlow's layouts. */
export interface ParamSpec {
  name: string;
  /** Conv kernels: [3, 3, cin, cout]; dense: [in, out]; biases: [out]. */
  shape: number[];
  kind: 'conv-kernel' | 'conv-bias' | 'dense-kernel' | 'dense-bias';
  /** For conv parameters: the conv layer, counting from 1. */
  convLayer?: number;
  fanIn: number;
  fanOut: number;
}

export const KERNEL = 3;

/** Carlsson & Gabrielsson's MNIST net: conv 64 3x3 -> pool -> conv 8 3x3 -> pool -> dense 512 -> 10. */
export const mnistPaper: Architecture = {
  name: 'mnist-paper',
  inputShape: [28, 28, 1],
  conv: [64, 8],
  dense: [512],
  classes: 10,
};

/** A CIFAR-10 net with two conv layers, the same shape of network on 32x32 colour images. */
export const cifarPaper: Architecture = {
  name: 'cifar-paper',
  inputShape: [32, 32, 3],
  conv: [64, 32],
  dense: [256],
  classes: 10,
};

export const architectures: Readonly<Record<string, Architecture>> = {
  'mnist-paper': mnistPaper,
  'cifar-paper': cifarPaper,
};

export class ArchitectureError extends Error {}

/** Looks an architecture up by name; the error lists the known names. */
export function getArchitecture(name: string): Architecture {
  const a = Object.hasOwn(architectures, name) ? architectures[name] : undefined;
  if (!a) {
    throw new ArchitectureError(
      `unknown architecture '${name}'; known: ${Object.keys(architectures).join(', ')} (or build a custom one)`,
    );
  }
  return a;
}

/**
 * A custom network: `conv` filters per 3x3 conv layer, then `dense` hidden units. Checks that every layer still
 * has a positive spatial size for the given input.
 */
export function customArchitecture(opts: {
  conv: number[];
  dense?: number[];
  inputShape?: [number, number, number];
  classes?: number;
}): Architecture {
  const arch: Architecture = {
    name: 'custom',
    inputShape: opts.inputShape ?? [28, 28, 1],
    conv: [...opts.conv],
    dense: [...(opts.dense ?? [128])],
    classes: opts.classes ?? 10,
  };
  validateArchitecture(arch);
  return arch;
}

const positiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Throws an ArchitectureError naming the first field that makes no sense. */
export function validateArchitecture(a: Architecture): void {
  if (!Array.isArray(a.inputShape) || a.inputShape.length !== 3 || !a.inputShape.every(positiveInt)) {
    throw new ArchitectureError('inputShape must be three positive integers [height, width, channels]');
  }
  if (!Array.isArray(a.conv) || a.conv.length < 1 || a.conv.length > 6 || !a.conv.every(positiveInt)) {
    throw new ArchitectureError('conv must list 1 to 6 positive filter counts');
  }
  if (a.conv.some((f) => f > 1024)) throw new ArchitectureError('conv: at most 1024 filters per layer');
  if (!Array.isArray(a.dense) || a.dense.length > 4 || !a.dense.every(positiveInt)) {
    throw new ArchitectureError('dense must list at most 4 positive unit counts');
  }
  if (!positiveInt(a.classes) || a.classes < 2) throw new ArchitectureError('classes must be an integer >= 2');
  let [h, w] = a.inputShape;
  for (let l = 0; l < a.conv.length; l++) {
    h = Math.floor((h - KERNEL + 1) / 2);
    w = Math.floor((w - KERNEL + 1) / 2);
    if (h < 1 || w < 1) {
      throw new ArchitectureError(
        `conv layer ${l + 1} leaves no pixels for a ${a.inputShape[0]}x${a.inputShape[1]} input; use fewer conv layers`,
      );
    }
  }
}

/** Spatial size [h, w] after conv layer l (1-based) and its pooling; l = 0 gives the input size. */
export function spatialSizeAfter(a: Architecture, l: number): [number, number] {
  let [h, w] = a.inputShape;
  for (let i = 0; i < l; i++) {
    h = Math.floor((h - KERNEL + 1) / 2);
    w = Math.floor((w - KERNEL + 1) / 2);
  }
  return [h, w];
}

/** Every trainable tensor, in the order training stores them. */
export function parameterSpecs(a: Architecture): ParamSpec[] {
  const specs: ParamSpec[] = [];
  let cin = a.inputShape[2];
  a.conv.forEach((cout, i) => {
    const l = i + 1;
    specs.push({
      name: `conv${l}/kernel`,
      shape: [KERNEL, KERNEL, cin, cout],
      kind: 'conv-kernel',
      convLayer: l,
      fanIn: KERNEL * KERNEL * cin,
      fanOut: KERNEL * KERNEL * cout,
    });
    specs.push({ name: `conv${l}/bias`, shape: [cout], kind: 'conv-bias', convLayer: l, fanIn: 0, fanOut: 0 });
    cin = cout;
  });
  const [h, w] = spatialSizeAfter(a, a.conv.length);
  let units = h * w * cin;
  [...a.dense, a.classes].forEach((out, i) => {
    specs.push({ name: `dense${i + 1}/kernel`, shape: [units, out], kind: 'dense-kernel', fanIn: units, fanOut: out });
    specs.push({ name: `dense${i + 1}/bias`, shape: [out], kind: 'dense-bias', fanIn: 0, fanOut: 0 });
    units = out;
  });
  return specs;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

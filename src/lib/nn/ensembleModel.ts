/**
 * R copies of one architecture trained as a single graph. Every parameter is stored with a leading run axis,
 * e.g. a conv kernel as [R, 9*cin, cout] (the TF layout [3,3,cin,cout] flattened), and the loss is the sum of the
 * runs' own losses, so each run's gradient - and, with Adam being elementwise, each run's update - is exactly
 * what it would get alone. Tiny CNNs leave a GPU idle one at a time; batching R of them fills it.
 *
 * tfjs has no grouped convolution, so how the runs' convolutions are done depends on the backend. GPU backends
 * run R > 1 as im2col and one batched matMul; wasm gives each run its own tf.conv2d stack (XNNPACK; slices and
 * concats are what is slow there) and batches only the dense layers; a single run uses tf.conv2d on both. The
 * cpu backend's conv2d gradients are naive loops, several times slower than its im2col (plain-loop custom
 * ops), so cpu takes im2col for every R.
 */
import * as tf from '@tensorflow/tfjs';
import { im2col, maxPool2 } from './im2col';
import { reluMaxPool2 } from './wasm/reluMaxPool';
import { KERNEL, parameterSpecs, sizeOf, type Architecture, type ParamSpec } from './architectures';

const BETA1 = 0.9;
const BETA2 = 0.999;

/**
 * Where Adam's epsilon goes. 'keras' (Keras, tfjs, TensorFlow): lr_t = lr sqrt(1 - b2^t) / (1 - b1^t) and
 * p -= lr_t m / (sqrt(v) + eps). 'pytorch' (torch.optim.Adam): p -= lr/(1 - b1^t) m / (sqrt(v / (1 - b2^t)) + eps),
 * which is the keras form with eps scaled by sqrt(1 - b2^t): 0.03 eps at step 1, 0.3 eps at step 100. The two
 * differ only where sqrt(v) is near eps, i.e. for weights with tiny gradients.
 */
export const ADAM_FORMS = ['keras', 'pytorch'] as const;
export type AdamForm = (typeof ADAM_FORMS)[number];

export interface AdamSettings {
  epsilon: number;
  form: AdamForm;
}

/** What every training used before the settings were options (and what Keras/tfjs use): the default. */
export const KERAS_ADAM: AdamSettings = { epsilon: 1e-7, form: 'keras' };
/** torch.optim.Adam's defaults, the paper preset's reference. */
export const PYTORCH_ADAM: AdamSettings = { epsilon: 1e-8, form: 'pytorch' };

/** The stored shape of one parameter for R runs. */
function stackedShape(spec: ParamSpec, runs: number): number[] {
  if (spec.kind === 'conv-kernel') return [runs, KERNEL * KERNEL * spec.shape[2], spec.shape[3]];
  if (spec.kind === 'conv-bias' || spec.kind === 'dense-bias') return [runs, 1, spec.shape[0]];
  return [runs, ...spec.shape];
}

export interface RunState {
  params: Float32Array[];
  adamM: Float32Array[];
  adamV: Float32Array[];
  /** Adam steps taken so far (the bias correction needs it). */
  step: number;
}

export class EnsembleModel {
  readonly specs: ParamSpec[];
  private readonly params: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t: number;

  /** `states[r]` holds run r's parameters (and Adam moments) in parameterSpecs order; all must be at one step. */
  constructor(
    readonly arch: Architecture,
    states: RunState[],
    readonly learningRate: number,
    readonly adam: AdamSettings = KERAS_ADAM,
  ) {
    this.specs = parameterSpecs(arch);
    const runs = states.length;
    if (runs < 1) throw new Error('an ensemble needs at least one run');
    this.t = states[0].step;
    if (states.some((s) => s.step !== this.t)) throw new Error('all runs of an ensemble must be at the same step');
    const stack = (pick: (s: RunState) => Float32Array[], i: number) => {
      const spec = this.specs[i];
      const n = sizeOf(spec.shape);
      const data = new Float32Array(runs * n);
      states.forEach((s, r) => {
        const part = pick(s)[i];
        if (!part || part.length !== n) {
          throw new Error(`${spec.name}: expected ${n} values for shape [${spec.shape}], got ${part?.length ?? 0}`);
        }
        data.set(part, r * n);
      });
      // A variable shares its initial tensor's data and holds a reference of its own: the initial tensor must be
      // disposed too, or each model leaves one tensor per parameter behind after its own dispose().
      const initial = tf.tensor(data, stackedShape(spec, runs));
      const variable = tf.variable(initial, true);
      initial.dispose();
      return variable;
    };
    this.params = this.specs.map((_, i) => stack((s) => s.params, i));
    this.m = this.specs.map((_, i) => stack((s) => s.adamM, i));
    this.v = this.specs.map((_, i) => stack((s) => s.adamV, i));
  }

  get runs(): number {
    return this.params[0].shape[0];
  }

  get step(): number {
    return this.t;
  }

  /** Logits [R, B, classes] for x [R*B, h, w, c] (run r's batch is rows r*B ... r*B+B-1). */
  logits(x: tf.Tensor4D): tf.Tensor3D {
    const R = this.runs;
    const B = x.shape[0] / R;
    const convParams = this.params.slice(0, 2 * this.arch.conv.length);
    let z: tf.Tensor3D;
    const backend = tf.getBackend();
    if (backend === 'wasm' && R > 1) {
      // tfjs has no grouped convolution, and on wasm im2col's slices and concats cost more than the convs; so
      // each run gets its own conv stack (XNNPACK convs), and only the dense features are stacked.
      const xs = tf.split(x, R, 0) as tf.Tensor4D[];
      const perRun = convParams.map((p) => tf.unstack(p));
      z = tf.stack(
        xs.map((xr, r) =>
          tf.reshape(
            this.convStack(
              xr,
              perRun.map((p) => p[r]),
            ),
            [B, -1],
          ),
        ),
      ) as tf.Tensor3D;
    } else if (backend !== 'cpu' && R === 1) {
      z = tf.reshape(
        this.convStack(
          x,
          convParams.map((p) => tf.squeeze(p, [0])),
        ),
        [1, B, -1],
      ) as tf.Tensor3D;
    } else {
      z = tf.reshape(this.im2colStack(x, convParams), [R, B, -1]) as tf.Tensor3D;
    }
    let p = convParams.length;
    const layers = this.arch.dense.length + 1;
    for (let d = 0; d < layers; d++) {
      const w = this.params[p++] as tf.Variable<tf.Rank.R3>;
      const b = this.params[p++];
      z = tf.add(tf.matMul(z, w), b);
      if (d < layers - 1) z = tf.relu(z);
    }
    return z;
  }

  /** One run's conv layers with tf.conv2d; params alternate kernel [9*cin, cout] and bias [1, cout]. */
  private convStack(x: tf.Tensor4D, params: tf.Tensor[]): tf.Tensor4D {
    let h = x;
    for (let l = 0; l < params.length; l += 2) {
      const [k9cin, cout] = params[l].shape;
      const w = tf.reshape(params[l], [KERNEL, KERNEL, k9cin / (KERNEL * KERNEL), cout]) as tf.Tensor4D;
      const bias = tf.reshape(params[l + 1], [cout]) as tf.Tensor1D;
      // Past the first layer the bias is fused into the conv (XNNPACK adds it as it writes; a broadcasting Add
      // is an extra pass on wasm). Not in the first: a fused conv's gradient always computes the input's
      // gradient too, and for the images that is a whole wasted backward conv. tfjs fuses a ReLU only outside
      // gradient recording, so that stays separate.
      const y: tf.Tensor4D =
        l === 0
          ? tf.add(tf.conv2d(h, w, 1, 'valid'), bias)
          : tf.fused.conv2d({ x: h, filter: w, strides: 1, pad: 'valid', bias });
      h = tf.getBackend() === 'wasm' ? reluMaxPool2(y) : maxPool2(tf.relu(y));
    }
    return h;
  }

  /** Every run's conv layers at once, each as im2col and one batched matMul over the runs. */
  private im2colStack(x: tf.Tensor4D, params: tf.Tensor[]): tf.Tensor4D {
    const R = this.runs;
    const B = x.shape[0] / R;
    let h = x;
    for (let l = 0; l < params.length; l += 2) {
      const w = params[l] as tf.Tensor3D;
      const cout = w.shape[2];
      const [n, hh, ww] = h.shape;
      const oh = hh - KERNEL + 1;
      const ow = ww - KERNEL + 1;
      const patches = tf.reshape(im2col(h), [R, B * oh * ow, w.shape[1]]) as tf.Tensor3D;
      const y = tf.reshape(tf.add(tf.matMul(patches, w), params[l + 1]), [n, oh, ow, cout]) as tf.Tensor4D;
      h = maxPool2(tf.relu(y));
    }
    return h;
  }

  /** Sum over runs of each run's mean softmax cross-entropy; also returns the per-run losses [R]. */
  private losses(x: tf.Tensor4D, oneHot: tf.Tensor3D): { total: tf.Scalar; perRun: tf.Tensor1D } {
    const logits = this.logits(x);
    const logp = tf.logSoftmax(logits);
    const perRun = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logp), 2), 1)) as tf.Tensor1D;
    return { total: tf.sum(perRun), perRun };
  }

  /** One Adam step on every run at once. Returns the per-run losses before the step, [R] (caller disposes). */
  trainStep(x: tf.Tensor4D, oneHot: tf.Tensor3D, lr = this.learningRate): tf.Tensor1D {
    this.t += 1;
    const t = this.t;
    return tf.tidy(() => {
      let perRun: tf.Tensor1D | undefined;
      const { grads } = tf.variableGrads(() => {
        const l = this.losses(x, oneHot);
        perRun = tf.keep(l.perRun);
        return l.total;
      }, this.params);
      const lrT = (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
      const epsilon = this.adam.form === 'pytorch' ? this.adam.epsilon * Math.sqrt(1 - BETA2 ** t) : this.adam.epsilon;
      this.params.forEach((p, i) => {
        const g = grads[p.name];
        const m = tf.add(tf.mul(this.m[i], BETA1), tf.mul(g, 1 - BETA1));
        const v = tf.add(tf.mul(this.v[i], BETA2), tf.mul(tf.square(g), 1 - BETA2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        p.assign(tf.sub(p, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon)), lrT)));
      });
      return perRun!;
    });
  }

  /** Number of correct predictions per run on x [R*B, ...] with labels [R, B] (int32). */
  correct(x: tf.Tensor4D, labels: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(this.logits(x), 2), labels), 'int32'), 1) as tf.Tensor1D);
  }

  /** Every run's parameters and Adam moments, in parameterSpecs order, downloaded from the backend. */
  async states(): Promise<RunState[]> {
    const R = this.runs;
    const read = async (vars: tf.Variable[]) => Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
    const [p, m, v] = await Promise.all([read(this.params), read(this.m), read(this.v)]);
    const split = (all: Float32Array[], r: number) =>
      all.map((data, i) => {
        const n = sizeOf(this.specs[i].shape);
        return data.slice(r * n, (r + 1) * n);
      });
    return Array.from({ length: R }, (_, r) => ({
      params: split(p, r),
      adamM: split(m, r),
      adamV: split(v, r),
      step: this.t,
    }));
  }

  dispose(): void {
    for (const v of [...this.params, ...this.m, ...this.v]) v.dispose();
  }
}

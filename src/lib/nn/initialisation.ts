/**
 * How a run's weights start. 'glorot' is Keras's default (Glorot-uniform kernels, zero biases), what
 * training.ts's initialState gives, and needs nothing from here. 'pytorch' is PyTorch's default for Conv2d and Linear: kernels and biases
 * uniform in +-1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)). For the first conv layer of mnist-paper that is
 * +-1/3 against Glorot's +-0.10: the random part of a filter is three times larger, so under Adam (steps of about
 * lr per weight) the learned structure takes longer to outweigh it. The emergence curve of the paper's MNIST
 * experiment (no circle at step 100, a clear one by step 400) is a PyTorch-default observation; Glorot's small
 * start shows the circle sooner.
 */
import { parameterSpecs, sizeOf, type Architecture } from './architectures';
import { glorotUniform, mix, rng } from './random';
import type { RunState } from './ensembleModel';

/** A run's parameters before training: Glorot-uniform kernels, zero biases (the Keras defaults; train()'s own start). */
export function initialState(arch: Architecture, seed: number): RunState {
  const specs = parameterSpecs(arch);
  const params = specs.map((s, i) =>
    s.kind.endsWith('kernel')
      ? glorotUniform(sizeOf(s.shape), s.fanIn, s.fanOut, rng(mix(seed, i)))
      : new Float32Array(sizeOf(s.shape)),
  );
  const zeros = () => specs.map((s) => new Float32Array(sizeOf(s.shape)));
  return { params, adamM: zeros(), adamV: zeros(), step: 0 };
}

/** A run's state at a step: where training starts (step 0) or goes on from. */
export interface Checkpoint {
  run: number;
  seed: number;
  step: number;
  /** In parameterSpecs(arch) order. */
  params: Float32Array[];
  adamM: Float32Array[];
  adamV: Float32Array[];
}

/** training.ts's runSeed (tests/unit/initialisation.test.ts holds the two equal), without importing tfjs. */
export const runSeedOf = (seed: number, run: number) => mix(seed, run, 0x7a11);

export const INITIALISATIONS = ['glorot', 'pytorch'] as const;
export type Initialisation = (typeof INITIALISATIONS)[number];

export function isInitialisation(name: string): name is Initialisation {
  return (INITIALISATIONS as readonly string[]).includes(name);
}

/** PyTorch's default parameters for a run: every tensor uniform in +-1/sqrt(fan_in of its layer). */
export function pytorchParams(arch: Architecture, seed: number): Float32Array[] {
  const specs = parameterSpecs(arch);
  let layerFanIn = 1;
  return specs.map((s, i) => {
    // A bias follows its kernel in parameterSpecs and takes that layer's fan-in, as nn.Conv2d/nn.Linear do.
    if (s.kind.endsWith('kernel')) layerFanIn = s.fanIn;
    const bound = 1 / Math.sqrt(layerFanIn);
    const random = rng(mix(seed, i, 0x7041));
    const out = new Float32Array(sizeOf(s.shape));
    for (let j = 0; j < out.length; j++) out[j] = (random() * 2 - 1) * bound;
    return out;
  });
}

/**
 * The state run `run` of a training starts from, as a step-0 checkpoint that train() resumes like any other:
 * its parameters under `init`, Adam's moments zero. The seed is the run's own, so the start is reproducible.
 */
export function startCheckpoint(
  arch: Architecture,
  masterSeed: number,
  run: number,
  init: Exclude<Initialisation, 'glorot'>,
): Checkpoint {
  const seed = runSeedOf(masterSeed, run);
  const zeros = () => parameterSpecs(arch).map((s) => new Float32Array(sizeOf(s.shape)));
  const params = init === 'pytorch' ? pytorchParams(arch, seed) : zeros();
  return { run, seed, step: 0, params, adamM: zeros(), adamV: zeros() };
}

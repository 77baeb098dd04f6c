/** The training lab's engine: backends, datasets, architectures, training with snapshots, kernel extraction. */
export { selectBackend, currentBackend, DEFAULT_ORDER, type BackendName } from './backends';
export {
  architectures,
  getArchitecture,
  customArchitecture,
  validateArchitecture,
  parameterSpecs,
  mnistPaper,
  cifarPaper,
  ArchitectureError,
  type Architecture,
  type ParamSpec,
} from './architectures';
export { DatasetError, type Dataset, type Split } from './datasets/dataset';
export { decodeMnist, fetchMnist, MNIST_URL } from './datasets/mnist';
export { parseCifarBatch, cifar10Dataset, CIFAR10_CLASSES, RECORD_BYTES } from './datasets/cifar10';
export { highContrastPatches, dNorm, type GreyImage, type PatchOptions } from './datasets/patches';
export {
  train,
  normaliseConfig,
  initialState,
  runSeed,
  convKernels,
  TrainingConfigError,
  type TrainConfig,
  type TrainCallbacks,
  type TrainResult,
  type Snapshot,
  type Checkpoint,
  type ConvKernel,
} from './training';
export { spatialFilters, writeSpatialFilters, filterCount } from './kernels';

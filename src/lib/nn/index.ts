/** The training lab's engine: backends, datasets, architectures, training with snapshots, kernel extraction. */
export {
  selectBackend,
  currentBackend,
  setWasmUrlPrefix,
  DEFAULT_ORDER,
  NODE_ORDER,
  WASM_URL_PREFIX,
  WASM_BINARY_FILES,
  type BackendName,
  type BackendChoice,
} from './backends';
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

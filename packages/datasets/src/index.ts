export {
  type Dataset,
  type DatasetArrays,
  datasetFromArrays,
  elementCount,
  reshapeInputs,
  takeExamples,
} from './dataset.js';
export { DatasetError } from './errors.js';
export { loadMnist, MNIST_CLASSES, MNIST_INPUT_SHAPE, type MnistOptions } from './mnist.js';
export { mulberry32, shuffledIndices } from './random.js';

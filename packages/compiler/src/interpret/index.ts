export {
  type InterpretedGradients,
  type InterpretOptions,
  interpretForward,
  interpretGradients,
  type WeightValues,
} from './batch.js';
export {
  conditionHolds,
  type Environment,
  elementAt,
  elementCount,
  evaluateEquation,
  evaluateEquations,
  evaluateExpr,
  rowMajorOffset,
  type TensorValue,
  type TensorValues,
  zeros,
} from './evaluate.js';

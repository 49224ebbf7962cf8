import type { RuleName } from '../derive/types.js';

/** The heading each renderer shows for a rule. */
export const ruleTitles: Readonly<Record<RuleName, string>> = {
  chainRule: 'chain rule',
  deltaDefinition: 'definition of delta',
  linearity: 'linearity',
  productRule: 'product rule',
  scalarRule: 'scalar rule',
  accessDerivative: 'access derivative',
  deltaElimination: 'Kronecker delta elimination',
  bounds: 'bounds',
  simplify: 'simplify',
  recognize: 'recognise forward values',
  identity: 'identity',
  substitute: 'substitute',
  rename: 'rename',
  batchMean: 'mean over the batch',
  gradientDescent: 'gradient descent',
};

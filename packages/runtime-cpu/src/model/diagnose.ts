import type { GeneratedModel } from '@symgrad/compiler';
import type { NonFiniteFinding } from '../errors.js';
import { firstNonFinite, nonFiniteName } from '../tensor.js';
import type { BufferSlot, ModelLayout } from './layout.js';

type State = Record<string, Float32Array>;

/**
 * Where the first NaN or infinity of a step appears. The weights, inputs and targets are
 * checked first, then the kernels run one by one, in the order a step runs them, and each
 * one's output is checked right after it is written. Costly, so it runs only once a step has
 * gone wrong, on the same batch and the weights from before the update.
 */
export function findNonFinite(
  generated: GeneratedModel,
  layout: ModelLayout,
  state: State,
  batch: number,
): NonFiniteFinding | undefined {
  for (const weight of layout.weights) {
    const slot = layout.byTensor.get(weight.name);
    const found = slot && inspect(slot, state, batch, weight.layer);
    if (found) return found;
  }
  for (const slot of [layout.input, layout.target]) {
    const found = inspect(slot, state, batch, undefined);
    if (found) return found;
  }
  for (const kernel of generated.kernels) {
    kernel.run(state, batch);
    const slot = layout.byTensor.get(kernel.writes);
    const found = slot && inspect(slot, state, batch, kernel.layer);
    if (found) return found;
  }
  return undefined;
}

/** The first non-finite value of one buffer, within the examples of the batch. */
function inspect(
  slot: BufferSlot,
  state: State,
  batch: number,
  layer: string | undefined,
): NonFiniteFinding | undefined {
  const data = state[slot.identifier];
  if (data === undefined) return undefined;
  const length = slot.perExample ? batch * slot.size : slot.size;
  const index = firstNonFinite(data, 0, length);
  if (index < 0) return undefined;

  const value = nonFiniteName(data[index] as number);
  const where = { tensor: slot.tensor, role: slot.role, value };
  const withLayer = layer === undefined ? where : { ...where, layer };
  return slot.perExample ? { ...withLayer, example: Math.floor(index / slot.size) } : withLayer;
}

/**
 * `the gradient 'grad(conv1/kernel)' of layer conv1 holds NaN`, with the example of the batch
 * for per-example tensors.
 */
export function describeFinding(finding: NonFiniteFinding): string {
  const noun = ROLE_NOUNS[finding.role] ?? 'tensor';
  const name = finding.role === 'loss' ? 'the loss' : `the ${noun} '${finding.tensor}'`;
  const layer = finding.layer === undefined ? '' : ` of layer ${finding.layer}`;
  const example =
    finding.example === undefined ? '' : ` in example ${finding.example} of the batch`;
  return `${name}${layer} holds ${finding.value}${example}`;
}

const ROLE_NOUNS: Record<string, string> = {
  weight: 'weight',
  input: 'input',
  target: 'target',
  activation: 'activation',
  adjoint: 'adjoint',
  gradient: 'gradient',
  loss: 'loss',
};

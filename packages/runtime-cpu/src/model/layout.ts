import {
  type GeneratedModel,
  type Graph,
  instantiateTypeScript,
  type WeightSpec,
  weightSpecs,
} from '@symgrad/compiler';
import { ModuleError } from '../errors.js';
import { elementCount, formatShape, sameShape } from '../tensor.js';

/** A weight of the model and the buffers that hold it and its gradient. */
export interface WeightSlot {
  /** `<layer>/kernel`, `<layer>/bias`, `<layer>/<einsum name>`. */
  readonly name: string;
  readonly layer: string;
  readonly role: WeightSpec['role'];
  /** The Keras shape, as weight files hold it. */
  readonly shape: readonly number[];
  readonly size: number;
  readonly buffer: string;
  readonly gradient: string;
}

/** A buffer of the generated module; per-example buffers hold `size` floats per example. */
export interface BufferSlot {
  readonly identifier: string;
  readonly tensor: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly perExample: boolean;
  readonly role: string;
}

/** What the runtime needs to know about a generated module, read once from its manifest. */
export interface ModelLayout {
  readonly name: string;
  readonly weights: readonly WeightSlot[];
  readonly input: BufferSlot;
  readonly target: BufferSlot;
  readonly output: BufferSlot;
  /** Buffers by the tensor they hold (`conv1/preActivation`). */
  readonly byTensor: ReadonlyMap<string, BufferSlot>;
}

const ENTRY_POINTS = ['createState', 'forward', 'predict', 'backward', 'update'] as const;
const EMIT_HINT = "regenerate it with 'symgrad emit <graph.json> --target ts'";

/** Runs generated TypeScript in this process; a source that fails to load is a `ModuleError`. */
export function loadGeneratedModule(source: string, file: string): GeneratedModel {
  let generated: GeneratedModel;
  try {
    generated = instantiateTypeScript(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ModuleError(
      'E_MODULE_LOAD',
      `${file} does not run as a module: ${reason}; ${EMIT_HINT}`,
    );
  }
  const missing = ENTRY_POINTS.find((entry) => typeof generated[entry] !== 'function');
  if (missing !== undefined || !Array.isArray(generated.kernels) || !generated.model) {
    throw new ModuleError(
      'E_MODULE_EXPORTS',
      `${file} is not a module symgrad emitted: it lacks '${missing ?? 'model'}'; ${EMIT_HINT}`,
    );
  }
  return generated;
}

/**
 * The weights and buffers of a generated module. With the graph, layers and weight roles come
 * from it, and the module must have been emitted from that graph; without, a weight's layer
 * is its name up to the last `/`, and its role is read off the suffix.
 */
export function modelLayout(generated: GeneratedModel, graph: Graph | undefined, file: string) {
  const manifest = generated.model;
  if (graph !== undefined) checkModuleMatchesGraph(generated, graph, file);
  const specs = new Map((graph ? weightSpecs(graph) : []).map((spec) => [spec.name, spec]));
  const byTensor = new Map<string, BufferSlot>();
  for (const buffer of manifest.buffers) {
    byTensor.set(buffer.tensor, { ...buffer, identifier: buffer.name });
  }
  const byIdentifier = new Map([...byTensor.values()].map((slot) => [slot.identifier, slot]));
  const buffer = (identifier: string) => {
    const slot = byIdentifier.get(identifier);
    if (slot === undefined) {
      throw new ModuleError(
        'E_MODULE_EXPORTS',
        `${file} declares no buffer '${identifier}'; ${EMIT_HINT}`,
      );
    }
    return slot;
  };

  const weights = manifest.weights.map((weight): WeightSlot => {
    const spec = specs.get(weight.name);
    return {
      name: weight.name,
      layer: spec?.layer ?? weight.name.slice(0, Math.max(0, weight.name.lastIndexOf('/'))),
      role: spec?.role ?? roleFromName(weight.name),
      shape: [...weight.shape],
      size: elementCount(weight.shape),
      buffer: buffer(weight.buffer).identifier,
      gradient: buffer(weight.gradient).identifier,
    };
  });
  const layout: ModelLayout = {
    name: manifest.name,
    weights,
    input: buffer(manifest.input),
    target: buffer(manifest.target),
    output: buffer(manifest.output),
    byTensor,
  };
  return layout;
}

function roleFromName(name: string): WeightSpec['role'] {
  if (name.endsWith('/kernel')) return 'kernel';
  if (name.endsWith('/bias')) return 'bias';
  return 'einsum';
}

/** A module emitted from another graph, or from an older version of this one, is refused. */
function checkModuleMatchesGraph(generated: GeneratedModel, graph: Graph, file: string): void {
  const manifest = generated.model;
  if (manifest.name !== graph.name) {
    throw new ModuleError(
      'E_MODULE_GRAPH',
      `${file} was emitted from graph '${manifest.name}', not '${graph.name}'; ${EMIT_HINT}`,
    );
  }
  const emitted = new Map(manifest.weights.map((weight) => [weight.name, weight.shape]));
  const specs = weightSpecs(graph);
  for (const spec of specs) {
    const shape = emitted.get(spec.name);
    if (shape === undefined || !sameShape(shape, spec.shape)) {
      const found = shape === undefined ? 'has no such weight' : `has it as ${formatShape(shape)}`;
      throw new ModuleError(
        'E_MODULE_GRAPH',
        `${file} does not match graph '${graph.name}': weight '${spec.name}' ${formatShape(spec.shape)} — the module ${found}; ${EMIT_HINT}`,
      );
    }
  }
  if (emitted.size !== specs.length) {
    throw new ModuleError(
      'E_MODULE_GRAPH',
      `${file} has ${emitted.size} weights, graph '${graph.name}' has ${specs.length}; ${EMIT_HINT}`,
    );
  }
}

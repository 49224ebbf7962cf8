import { GraphError } from '../errors.js';
import { resolveGraph } from './parse.js';
import type { ActivationJson, GraphJson, LayerJson } from './schema.js';
import type { Graph, LossName, Optimizer } from './types.js';

/** The fields of one layer type, without `type`, as the builder's methods take them. */
type LayerOptions<T extends LayerJson['type']> = Omit<Extract<LayerJson, { type: T }>, 'type'>;

interface Draft {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerJson[];
  readonly loss?: LossName;
  readonly optimizer?: Optimizer;
}

/**
 * Builds the same `GraphJson` a user would write, with the compiler checking field names.
 * Builders are immutable: every call returns a new one, so a prefix can be shared. `HasLoss`
 * tracks whether `.loss()` was called; `toJson()` and `build()` need it.
 */
export class GraphBuilder<HasLoss extends boolean = false> {
  /** @internal Use `graph(name, { inputShape })`. */
  constructor(private readonly draft: Draft) {}

  dense(options: LayerOptions<'dense'>): GraphBuilder<HasLoss> {
    return this.add({ type: 'dense', ...options });
  }

  conv2d(options: LayerOptions<'conv2d'>): GraphBuilder<HasLoss> {
    return this.add({ type: 'conv2d', ...options });
  }

  maxPooling2d(options: LayerOptions<'maxPooling2d'>): GraphBuilder<HasLoss> {
    return this.add({ type: 'maxPooling2d', ...options });
  }

  averagePooling2d(options: LayerOptions<'averagePooling2d'>): GraphBuilder<HasLoss> {
    return this.add({ type: 'averagePooling2d', ...options });
  }

  flatten(options: LayerOptions<'flatten'> = {}): GraphBuilder<HasLoss> {
    return this.add({ type: 'flatten', ...options });
  }

  /** `.activation('relu')`, or `.activation({ name: 'leakyRelu', alpha: 0.1 }, { name })`. */
  activation(
    activation: ActivationJson,
    options: Omit<LayerOptions<'activation'>, 'activation'> = {},
  ): GraphBuilder<HasLoss> {
    return this.add({ type: 'activation', activation, ...options });
  }

  /** A layer given by its forward equation, e.g. `y[j] = sum(i) w[i,j] * x[i]`. */
  einsum(options: LayerOptions<'einsum'>): GraphBuilder<HasLoss> {
    return this.add({ type: 'einsum', ...options });
  }

  loss(loss: LossName): GraphBuilder<true> {
    return new GraphBuilder<true>({ ...this.draft, loss });
  }

  /** Plain gradient descent, `w_new = w_old - learningRate * dL/dw`. */
  sgd(learningRate: number): GraphBuilder<HasLoss> {
    return new GraphBuilder<HasLoss>({ ...this.draft, optimizer: { type: 'sgd', learningRate } });
  }

  /** The graph as JSON, exactly as a user would write it in a file. */
  toJson(this: GraphBuilder<true>): GraphJson {
    const { name, inputShape, layers, loss, optimizer } = this.draft;
    if (loss === undefined) {
      throw new GraphError(
        'E_LOSS',
        `graph '${name}' has no loss; call .loss('squaredError') or another loss before toJson() or build()`,
      );
    }
    const json: GraphJson = {
      name,
      input: { shape: [...inputShape] },
      layers: layers.map((layer) => ({ ...layer })),
      loss,
    };
    return optimizer ? { ...json, optimizer: { ...optimizer } } : json;
  }

  /** Validates and resolves the graph; errors are those of `resolveGraph` for `file`. */
  build(this: GraphBuilder<true>, file = `<graph ${this.draft.name}>`): Graph {
    return resolveGraph(this.toJson(), file);
  }

  private add(layer: LayerJson): GraphBuilder<HasLoss> {
    return new GraphBuilder<HasLoss>({ ...this.draft, layers: [...this.draft.layers, layer] });
  }
}

/**
 * Starts a graph.
 *
 * @example
 * graph('lenet', { inputShape: [28, 28, 1] })
 *   .conv2d({ filters: 6, kernelSize: 5, activation: 'relu' })
 *   .maxPooling2d({ poolSize: 2 })
 *   .flatten()
 *   .dense({ units: 10, activation: 'softmax' })
 *   .loss('softmaxCrossEntropy')
 *   .build();
 */
export function graph(name: string, options: { inputShape: readonly number[] }): GraphBuilder {
  return new GraphBuilder({ name, inputShape: options.inputShape, layers: [] });
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileTypeScript, type Graph, parseGraphText, resolveGraph } from '@symgrad/compiler';
import { CpuModel, type CpuModelOptions, Random } from '../src/index.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** A graph from the repository's `examples/` folder. */
export function exampleGraph(name: string): Graph {
  const file = `${examples}${name}.json`;
  return parseGraphText(readFileSync(file, 'utf8'), file);
}

/** A graph from JSON written in a test. */
export function graphOf(json: unknown): Graph {
  return resolveGraph(json, 'test.json');
}

const sources = new WeakMap<Graph, string>();

/**
 * A fresh model of `graph`. Compiling takes a while, so each graph is emitted once and later
 * models load the same source, as `symgrad emit` output would be loaded.
 */
export function modelOf(graph: Graph, options: CpuModelOptions = {}): CpuModel {
  let source = sources.get(graph);
  if (source === undefined) {
    source = compileTypeScript(graph).module.source;
    sources.set(graph, source);
  }
  return CpuModel.fromGeneratedSource(source, graph, options);
}

/** `count` values uniform in [low, high), from a seeded generator. */
export function uniform(count: number, random: Random, low = -1, high = 1): Float32Array {
  const values = new Float32Array(count);
  for (let k = 0; k < count; k += 1) values[k] = low + (high - low) * random.next();
  return values;
}

/** One-hot rows for `batch` examples of `classes` classes, cycling through the classes. */
export function oneHotRows(batch: number, classes: number, offset = 0): Float32Array {
  const rows = new Float32Array(batch * classes);
  for (let example = 0; example < batch; example += 1) {
    rows[example * classes + ((example + offset) % classes)] = 1;
  }
  return rows;
}

export { Random };

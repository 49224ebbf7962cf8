import { readFileSync } from 'node:fs';
import type { Derivation, DerivedProgram } from '../../src/derive/types.js';
import { deriveGraph, parseGraphText } from '../../src/index.js';

const examples = new URL('../../../../examples/', import.meta.url);

const derived = new Map<string, DerivedProgram>();

/** Derives `examples/<name>` as the CLI would, once per test file. */
export function deriveExample(name: string): DerivedProgram {
  const cached = derived.get(name);
  if (cached) return cached;
  const program = deriveGraph(parseGraphText(readFileSync(new URL(name, examples), 'utf8'), name));
  derived.set(name, program);
  return program;
}

export function derivationOf(derived: DerivedProgram, tensor: string): Derivation {
  const found = derived.derivations.find((d) => d.of === tensor);
  if (found === undefined) throw new Error(`no derivation for ${tensor}`);
  return found;
}

/** The program with only the derivation of `tensor`: renderers see nothing else. */
export function only(derived: DerivedProgram, tensor: string): DerivedProgram {
  return { ...derived, derivations: [derivationOf(derived, tensor)] };
}

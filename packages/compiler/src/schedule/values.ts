import type { Test, Value } from './loops.js';

/*
 * What the values of the loop IR read: the renderers ask before they print a select in a
 * form that evaluates both of its branches.
 */

/** Whether a select's branches read the buffers only where its test has already read them. */
export function readsOnlyWhatTestReads(v: Value & { kind: 'select' }): boolean {
  const tested = new Set<string>();
  for (const value of valuesOf(v.test)) for (const load of loadsOf(value)) tested.add(load);
  const branches = [...loadsOf(v.then), ...loadsOf(v.otherwise)];
  return branches.every((load) => tested.has(load));
}

/** Every load in a value, as a key naming its buffer and offset. */
export function loadsOf(v: Value): Set<string> {
  const loads = new Set<string>();
  const visit = (value: Value): void => {
    switch (value.kind) {
      case 'load':
        loads.add(JSON.stringify([value.buffer, value.offset]));
        return;
      case 'binary':
        visit(value.left);
        visit(value.right);
        return;
      case 'negate':
        visit(value.operand);
        return;
      case 'call':
        value.args.forEach(visit);
        return;
      case 'select':
        valuesOf(value.test).forEach(visit);
        visit(value.then);
        visit(value.otherwise);
        return;
      default:
        return;
    }
  };
  visit(v);
  return loads;
}

/** The float values a test compares. */
export function valuesOf(t: Test): Value[] {
  switch (t.kind) {
    case 'positive':
      return [t.value];
    case 'greater':
      return [t.left, t.right];
    case 'equalsIndex':
      return [t.value];
    case 'all':
      return t.tests.flatMap(valuesOf);
    default:
      return [];
  }
}

import type { z } from 'zod';
import { GraphError, invariant } from '../errors.js';
import {
  ACTIVATION_NAMES,
  activationObjectSchema,
  graphSchema,
  inputSchema,
  LAYER_TYPES,
  LOSS_NAMES,
  layerSchemas,
  OPTIMIZER_TYPES,
  optimizerSchema,
  PADDINGS,
} from './schema.js';

/**
 * Turns zod's issues into the one-line messages of the contract:
 * `<file>: <json path>: <what is wrong>; <what to change>`.
 */

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** Converts the first (most useful) schema issue into a `GraphError`. */
export function schemaError(issues: readonly Issue[], root: unknown, file: string): GraphError {
  const issue = mostUsefulIssue(issues);
  const { code, text } = describeIssue(issue, issue.path, root);
  return new GraphError(code, `${file}: ${text}`);
}

/**
 * zod reports a misspelt field twice: once as missing under its right name, once as
 * unrecognized under the wrong one. The unrecognized key is what the user typed and leads
 * straight to the typo, so it wins over other problems of the same object.
 */
function mostUsefulIssue(issues: readonly Issue[]): Issue {
  const first = issues[0];
  invariant(first !== undefined, 'a failed schema parse reports at least one issue');
  const objectPath = first.path.slice(0, -1);
  const typo = issues.find(
    (issue) => issue.code === 'unrecognized_keys' && samePath(issue.path, objectPath),
  );
  return typo ?? first;
}

interface Described {
  readonly code: string;
  readonly text: string;
}

/** `text` is `<json path>: <problem>; <fix>`; `path` is the issue's full path from the root. */
function describeIssue(issue: Issue, path: readonly PathKey[], root: unknown): Described {
  const at = formatPath(path);
  switch (issue.code) {
    case 'invalid_type':
      return describeType(issue.expected, issue.input, path);
    case 'invalid_value':
      return describeValue(issue.values, issue.input, path);
    case 'too_small':
      return { code: 'E_SCHEMA', text: `${at}: ${tooSmall(issue, path)}` };
    case 'too_big':
      return { code: 'E_SCHEMA', text: `${at}: ${tooBig(issue, path)}` };
    case 'unrecognized_keys':
      return describeUnknownField(issue.keys, path, root);
    case 'invalid_union':
      return describeUnion(issue, path, root);
    default:
      return { code: 'E_SCHEMA', text: `${at}: ${issue.message}` };
  }
}

/** Renders `['layers', 2, 'kernelSize']` as `layers[2].kernelSize`. */
export function formatPath(path: readonly PathKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) text += text ? `.${String(key)}` : String(key);
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text || 'top level';
}

function describeType(expected: string, input: unknown, path: readonly PathKey[]): Described {
  const at = formatPath(path);
  const wanted = fieldDescription(path) ?? article(expected);
  if (input === undefined && path.length > 0) {
    const field = String(path[path.length - 1]);
    return { code: 'E_SCHEMA', text: `${at}: missing field '${field}' (${wanted}); add it` };
  }
  const fix =
    typeof input === 'string' && input.trim() !== '' && Number.isFinite(Number(input))
      ? 'write the number without quotes'
      : `replace it with ${wanted.length <= 50 ? wanted : 'one of those'}`;
  return {
    code: 'E_SCHEMA',
    text: `${at}: expected ${wanted} but got ${describeInput(input)}; ${fix}`,
  };
}

/** The enums of the contract, with the code and noun used when a value is not one of them. */
const ENUMS: readonly { values: readonly string[]; noun: string; code: string }[] = [
  { values: LAYER_TYPES, noun: 'layer type', code: 'E_UNKNOWN_LAYER' },
  { values: ACTIVATION_NAMES, noun: 'activation', code: 'E_UNKNOWN_ACTIVATION' },
  { values: LOSS_NAMES, noun: 'loss', code: 'E_LOSS' },
  { values: PADDINGS, noun: 'padding', code: 'E_SCHEMA' },
  { values: OPTIMIZER_TYPES, noun: 'optimizer type', code: 'E_SCHEMA' },
];

function describeValue(
  values: readonly unknown[],
  input: unknown,
  path: readonly PathKey[],
): Described {
  const at = formatPath(path);
  const known = ENUMS.find((e) => e.values.length === values.length && e.values[0] === values[0]);
  const options = values.map(String);
  if (typeof input !== 'string') {
    if (input === undefined) return describeType('string', input, path);
    const wanted = oneOf(options);
    return {
      code: known?.code ?? 'E_SCHEMA',
      text: `${at}: expected ${wanted} but got ${describeInput(input)}; replace it with ${wanted}`,
    };
  }
  const noun = known?.noun ?? 'value';
  const close = nearMiss(input, options);
  const hint = close === undefined ? '' : ` (did you mean '${close}'?)`;
  return {
    code: known?.code ?? 'E_SCHEMA',
    text: `${at}: unknown ${noun} '${input}'; use ${oneOf(options)}${hint}`,
  };
}

function tooSmall(issue: z.core.$ZodIssueTooSmall, path: readonly PathKey[]): string {
  if (issue.origin === 'array') {
    const noun = path[path.length - 1] === 'layers' ? 'layer' : 'entry';
    return `the list is empty; add at least one ${noun}`;
  }
  if (issue.origin === 'string') return 'must not be empty; write a non-empty string';
  const wanted = fieldDescription(path) === 'a positive number' ? 'number' : 'integer';
  return `must be positive but is ${describeInput(issue.input)}; use a positive ${wanted}`;
}

function tooBig(issue: z.core.$ZodIssueTooBig, path: readonly PathKey[]): string {
  const wanted = fieldDescription(path) ?? `at most ${issue.maximum} entries`;
  const count = Array.isArray(issue.input) ? `${issue.input.length} entries` : 'too many entries';
  return `has ${count}; use ${wanted}`;
}

function describeUnknownField(
  keys: readonly string[],
  path: readonly PathKey[],
  root: unknown,
): Described {
  const field = keys[0] ?? '';
  const at = formatPath([...path, field]);
  const fields = fieldsAt(path, root);
  const close = nearMiss(field, fields);
  const fix =
    close === undefined
      ? `remove it (the fields here are ${fields.join(', ')})`
      : `rename it to '${close}'`;
  return { code: 'E_SCHEMA', text: `${at}: unknown field '${field}'; ${fix}` };
}

/**
 * A union fails as a whole; the useful report is the one from the branch the user meant,
 * which is the branch whose type matches what they wrote (a number for `kernelSize: 0`, an
 * array for `kernelSize: [3, 0]`). With no such branch, the value has the wrong type.
 */
function describeUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly PathKey[],
  root: unknown,
): Described {
  if ('note' in issue && issue.discriminator === 'type') return describeLayerType(issue, path);

  const meant = issue.errors.filter((branch) => !branch.every(isTypeMismatch));
  const inner = meant.length === 1 ? meant[0]?.[0] : undefined;
  if (inner) return describeIssue(inner, [...path, ...inner.path], root);

  const expected = issue.errors.map((branch) => branchExpectation(branch)).join(' or ');
  return describeType(expected, issue.input, path);
}

/** A discriminated union reports the layer object; its `type` is missing or unknown. */
function describeLayerType(issue: z.core.$ZodIssueInvalidUnion, path: readonly PathKey[]) {
  const layer = issue.input;
  const type = isRecord(layer) ? layer.type : undefined;
  if (typeof type === 'string') return describeValue(LAYER_TYPES, type, path);
  return describeType(`one of ${LAYER_TYPES.join(', ')}`, type, path);
}

function isTypeMismatch(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  return issue.code === 'invalid_value' && typeof issue.input !== typeof issue.values[0];
}

function branchExpectation(branch: readonly Issue[]): string {
  const first = branch[0];
  if (first?.code === 'invalid_type') return article(first.expected);
  if (first?.code === 'invalid_value') return `one of ${first.values.map(String).join(', ')}`;
  return 'a valid value';
}

/** What a field holds, in words, for messages about missing or mistyped values. */
const FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  name: 'a string',
  input: 'an object such as { "shape": [28, 28, 1] }',
  shape: 'an array of positive integers',
  layers: 'an array of layers',
  loss: `one of ${LOSS_NAMES.join(', ')}`,
  optimizer: 'an object such as { "type": "sgd", "learningRate": 0.01 }',
  units: 'a positive integer',
  filters: 'a positive integer',
  kernelSize: 'a positive integer or a pair [height, width]',
  poolSize: 'a positive integer or a pair [height, width]',
  strides: 'a positive integer or a pair [height, width]',
  padding: `one of ${PADDINGS.join(', ')}`,
  activation: `an activation name (one of ${ACTIVATION_NAMES.join(', ')}) or an object such as { "name": "leakyRelu", "alpha": 0.1 }`,
  alpha: 'a number',
  useBias: 'true or false',
  equation: 'a string such as "y[j] = sum(i) w[i,j] * x[i]"',
  weights: 'an object from weight name to shape, such as { "w": [3, 4] }',
  learningRate: 'a positive number',
};

/** The description of the field at `path`; entries of size lists are positive integers. */
function fieldDescription(path: readonly PathKey[]): string | undefined {
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    const parent = path[path.length - 2];
    return parent === 'layers' ? 'a layer object' : 'a positive integer';
  }
  if (last === 'type') {
    return path[0] === 'layers' ? oneOf(LAYER_TYPES) : oneOf(OPTIMIZER_TYPES);
  }
  if (path[0] === 'layers' && path[2] === 'weights' && path.length === 4) {
    return FIELD_DESCRIPTIONS.shape;
  }
  return last === undefined ? undefined : FIELD_DESCRIPTIONS[String(last)];
}

/** The fields the object at `path` accepts, for suggesting a fix to an unknown field. */
function fieldsAt(path: readonly PathKey[], root: unknown): string[] {
  if (path.length === 0) return Object.keys(graphSchema.shape);
  if (path[0] === 'input') return Object.keys(inputSchema.shape);
  if (path[0] === 'optimizer') return Object.keys(optimizerSchema.shape);
  if (path[path.length - 1] === 'activation') return Object.keys(activationObjectSchema.shape);

  const layers = isRecord(root) && Array.isArray(root.layers) ? root.layers : [];
  const layer: unknown = layers[Number(path[1])];
  const type = isRecord(layer) ? layer.type : undefined;
  const schema = layerSchemas[type as keyof typeof layerSchemas];
  return schema ? Object.keys(schema.shape) : [];
}

/** The option the input most likely misspells: same letters in another case, or a typo. */
function nearMiss(input: string, options: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  return (
    options.find((option) => option.toLowerCase() === lower) ??
    options.find((option) => editDistance(option.toLowerCase(), lower) <= 2)
  );
}

function oneOf(options: readonly string[]): string {
  return options.length === 1 ? `${options[0]}` : `one of ${options.join(', ')}`;
}

/** Levenshtein distance, for catching typos such as `kernalSize`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A short, one-line rendering of a JSON value for messages: `the string "3"`, `null`. */
function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return `the array ${truncate(JSON.stringify(input))}`;
  if (typeof input === 'object') return 'an object';
  if (typeof input === 'string') return `the string ${truncate(JSON.stringify(input))}`;
  return String(input);
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected.startsWith('one of') || expected.includes(' or ')) return expected;
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function samePath(a: readonly PathKey[], b: readonly PathKey[]): boolean {
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

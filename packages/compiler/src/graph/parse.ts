import { GraphError } from '../errors.js';
import { schemaError } from './issues.js';
import { resolveCheckedGraph } from './resolve.js';
import { graphSchema } from './schema.js';
import type { Graph } from './types.js';

/**
 * Reads a layer graph from the text of a JSON file. Every problem becomes one `GraphError`
 * whose message names the file, where in it, and what to change.
 *
 * @example parseGraphText(readFileSync('lenet.json', 'utf8'), 'lenet.json')
 */
export function parseGraphText(text: string, file: string): Graph {
  return resolveGraph(parseJson(text, file), file);
}

/**
 * Validates a parsed JSON value against the contract, fills in defaults and infers shapes.
 * Only the first problem is reported, so that the message stays one line.
 */
export function resolveGraph(json: unknown, file = '<graph>'): Graph {
  const result = graphSchema.safeParse(json, { reportInput: true });
  if (!result.success) throw schemaError(result.error.issues, json, file);
  return resolveCheckedGraph(result.data, file);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const { line, column } = lineAndColumn(text, errorOffset(reason, text));
    throw new GraphError(
      'E_JSON',
      `${file}: line ${line}, column ${column}: invalid JSON (${jsonReason(reason)}); fix the syntax there, e.g. a missing comma or quote, or a trailing comma`,
    );
  }
}

/**
 * The character offset V8 reports (`... at position 42`); errors at the end of the text,
 * such as `Unexpected end of JSON input`, carry none and point past the last character.
 */
function errorOffset(reason: string, text: string): number {
  const position = /at position (\d+)/.exec(reason)?.[1];
  return position === undefined ? text.length : Number(position);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

/** V8's reason without its position and its quote of the text, which may span lines. */
function jsonReason(reason: string): string {
  const short = reason
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/\s+/g, ' ')
    .trim();
  return short.charAt(0).toLowerCase() + short.slice(1);
}

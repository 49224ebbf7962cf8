import {
  DERIVATION_FORMATS,
  type DerivationFormat,
  deriveGraph,
  isDerivationFormat,
  parseGraphText,
  renderDerivation,
} from '@symgrad/compiler';
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { type Output, readText, writeFileAtomic } from '../io.js';

export interface DeriveOptions {
  readonly format: DerivationFormat;
  /** The file to write; standard output when absent. */
  readonly out?: string;
}

/** `symgrad derive <graph.json> [--format text|markdown|latex|json] [--out <file>]`. */
export function registerDerive(program: Command, output: Output): void {
  program
    .command('derive')
    .description('derive every gradient of the loss of a layer graph, showing each step')
    .argument('<graph>', 'the layer graph, a JSON file')
    .addOption(
      new Option('--format <format>', `output format, one of ${DERIVATION_FORMATS.join(', ')}`)
        .default('text')
        .argParser(parseFormat),
    )
    // Commander shows no default for an option without a default value, so the text says it.
    .option(
      '--out <file>',
      'write to this file, replacing it atomically (default: standard output)',
    )
    .action((graph: string, options: DeriveOptions) => derive(graph, options, output));
}

/** Reads, validates and derives the graph in `file`, then writes its derivation. */
export function derive(file: string, options: DeriveOptions, output: Output): void {
  const graph = parseGraphText(readText(file), file);
  const text = renderDerivation(deriveGraph(graph), options.format);
  if (options.out === undefined) output.stdout(text);
  else writeFileAtomic(options.out, text);
}

function parseFormat(value: string): DerivationFormat {
  if (isDerivationFormat(value)) return value;
  const formats = DERIVATION_FORMATS.join(', ');
  throw new UsageError(`--format '${value}' is not a format symgrad writes; use one of ${formats}`);
}

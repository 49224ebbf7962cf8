import type CodeBlockWriter from 'code-block-writer';
import { invariant } from '../../errors.js';
import type { Value } from '../../schedule/loops.js';
import type { GpuKernel, MatrixProduct, WorkgroupPlan } from '../../schedule/workgroup.js';
import {
  MAX_WORKGROUPS_PER_DIMENSION,
  type MainContext,
  mentionsBatch,
  writeUpdate,
} from './entry.js';
import type { Namespace } from './names.js';
import type { WgslRenderer } from './render.js';

/*
 * The entry point of a matrix product tiled in workgroup memory (a `tiled` workgroup plan):
 * how a shader of `shader.ts` computes a dense layer's products on a GPU.
 */

/** A tiled shader's grid, as its manifest entry gives it. */
export interface ShaderTiles {
  readonly size: number;
  readonly rows: number | 'batch';
  readonly columns: number;
}

/** The grid a tiled plan covers, one workgroup per `size` x `size` tile of it. */
export function tilesOf(plan: WorkgroupPlan & { kind: 'tiled' }): ShaderTiles {
  const { rowExtent, columnExtent } = plan.product;
  return { size: plan.tile, rows: rowExtent, columns: columnExtent };
}

/** The tiles that cover a tiled product's grid for a batch: one workgroup each. */
export function tileCount(tiles: ShaderTiles, batch: number): number {
  const rows = tiles.rows === 'batch' ? batch : tiles.rows;
  return Math.ceil(rows / tiles.size) * Math.ceil(tiles.columns / tiles.size);
}

/** The identifiers a tiled product's entry point declares: fresh, so that none is an IR name. */
interface TileNames {
  readonly rowTerms: string;
  readonly columnTerms: string;
  readonly group: string;
  readonly slot: string;
  readonly tile: string;
  readonly rowInTile: string;
  readonly columnInTile: string;
  readonly start: string;
  readonly part: string;
  readonly term: string;
  readonly loaded: string;
}

function tileNames(names: Namespace): TileNames {
  const fresh = (hint: string) => names.fresh(hint);
  return {
    rowTerms: fresh('rowTerms'),
    columnTerms: fresh('columnTerms'),
    group: fresh('group'),
    slot: fresh('slot'),
    tile: fresh('tile'),
    rowInTile: fresh('rowInTile'),
    columnInTile: fresh('columnInTile'),
    start: fresh('start'),
    part: fresh('part'),
    term: fresh('term'),
    loaded: fresh('loaded'),
  };
}

/** Where an invocation's element lies, as the passes of a tiled product need it. */
interface TilePlace {
  readonly row: string;
  readonly column: string;
  readonly rowExtent: string;
  readonly columnExtent: number;
}

/**
 * The entry point of a tiled matrix product. Invocation `slot` of a workgroup computes the
 * element at row `slot / tile`, column `slot % tile` of the workgroup's tile. Each pass over
 * `depth` terms of the sum, it loads `depth / tile` terms of the row operand at its row and
 * of the column operand at its column (0 past the grid or the sum) into workgroup memory;
 * after a barrier every element adds the pass's `depth` products from there, in the order the
 * untiled sum adds them, and a second barrier frees the memory for the next pass. Every
 * invocation reaches the barriers: those past the grid load zeros and store nothing. A row of
 * `rowTerms` is `depth + 1` long, so that the rows of a tile start in different memory banks.
 */
export function writeTiledMain(
  writer: CodeBlockWriter,
  kernel: GpuKernel,
  plan: WorkgroupPlan & { kind: 'tiled' },
  { names, entryPoint, renderer, batch }: MainContext,
): void {
  const { tile, depth, product } = plan;
  invariant(depth % tile === 0, 'a pass loads a whole number of terms per invocation');
  const n = tileNames(names);
  writer.writeLine(`var<workgroup> ${n.rowTerms}: array<f32, ${tile * (depth + 1)}>;`);
  writer.writeLine(`var<workgroup> ${n.columnTerms}: array<f32, ${depth * tile}>;`);
  writer.blankLine();
  writer.writeLine(`@compute @workgroup_size(${tile * tile})`);
  writer.writeLine(`fn ${entryPoint}(`);
  writer.indent(() => {
    writer.writeLine(`@builtin(workgroup_id) ${n.group}: vec3<u32>,`);
    writer.writeLine(`@builtin(local_invocation_index) ${n.slot}: u32,`);
  });
  writer.write(') ').block(() => {
    const [row, column] = writeTilePosition(writer, kernel, plan, names, n, batch);
    const place = {
      row,
      column,
      rowExtent: extentCode(product.rowExtent, batch),
      columnExtent: product.columnExtent,
    };
    const accumulator = names.claim(product.accumulator);
    const [first, last] = [renderer.index(product.loop.lower), renderer.index(product.loop.upper)];
    writer.writeLine(`var ${accumulator}: f32 = 0.0;`);
    const passes = `${n.start} <= ${last}; ${n.start} += ${depth}`;
    const head = `for (var ${n.start}: i32 = ${first}; ${passes}) `;
    writer.write(head).block(() => writePass(writer, renderer, names, plan, n, place, last));
    const inGrid = `${row} < ${place.rowExtent} && ${column} < ${place.columnExtent}`;
    writer.write(`if (${inGrid}) `).block(() => {
      renderer.statements(writer, kernel.element.slice(product.finishAt));
      writeUpdate(writer, kernel, renderer);
    });
  });
}

/** One pass of a tiled product: the invocation's loads, a barrier, the products, a barrier. */
function writePass(
  writer: CodeBlockWriter,
  renderer: WgslRenderer,
  names: Namespace,
  { tile, depth, product }: WorkgroupPlan & { kind: 'tiled' },
  n: TileNames,
  place: TilePlace,
  last: string,
): void {
  const [rowLoad, columnLoad] = operandsOf(product);
  const index = names.claim(product.loop.index);
  const stride = depth + 1;
  writer
    .write(`for (var ${n.part}: i32 = 0; ${n.part} < ${depth / tile}; ${n.part}++) `)
    .block(() => {
      const offset = `${tile} * ${n.part}`;
      const share = { renderer, index, loaded: n.loaded };
      writeTermLoad(writer, share, {
        into: `${n.rowTerms}[${n.rowInTile} * ${stride} + ${n.columnInTile} + ${offset}]`,
        term: `${n.start} + ${n.columnInTile} + ${offset}`,
        inside: `${place.row} < ${place.rowExtent} && ${index} <= ${last}`,
        load: rowLoad,
      });
      writeTermLoad(writer, share, {
        into: `${n.columnTerms}[(${n.rowInTile} + ${offset}) * ${tile} + ${n.columnInTile}]`,
        term: `${n.start} + ${n.rowInTile} + ${offset}`,
        inside: `${place.column} < ${place.columnExtent} && ${index} <= ${last}`,
        load: columnLoad,
      });
    });
  writer.writeLine('workgroupBarrier();');
  const fromRow = `${n.rowTerms}[${n.rowInTile} * ${stride} + ${n.term}]`;
  const fromColumn = `${n.columnTerms}[${n.term} * ${tile} + ${n.columnInTile}]`;
  const [left, right] =
    product.rowOperand === 'left' ? [fromRow, fromColumn] : [fromColumn, fromRow];
  writer.write(`for (var ${n.term}: i32 = 0; ${n.term} < ${depth}; ${n.term}++) `).block(() => {
    writer.writeLine(`${names.claim(product.accumulator)} += ${left} * ${right};`);
  });
  writer.writeLine('workgroupBarrier();');
}

/** The row operand's load and the column operand's, as the element's product has them. */
function operandsOf(product: MatrixProduct): [Value & { kind: 'load' }, Value & { kind: 'load' }] {
  const [term] = product.loop.body;
  invariant(term?.kind === 'accumulate' && term.value.kind === 'binary', 'a product sums products');
  const { left, right } = term.value;
  invariant(left.kind === 'load' && right.kind === 'load', 'a product multiplies two loads');
  return product.rowOperand === 'left' ? [left, right] : [right, left];
}

/**
 * One load of an invocation's share of a pass: the operand at the sum's index `term`, or 0
 * outside, into its slot of workgroup memory. The sum's index is declared in a block of its
 * own, so that the load prints as the element writes it.
 */
function writeTermLoad(
  writer: CodeBlockWriter,
  { renderer, index, loaded }: { renderer: WgslRenderer; index: string; loaded: string },
  share: { into: string; term: string; inside: string; load: Value & { kind: 'load' } },
): void {
  writer.block(() => {
    writer.writeLine(`let ${index} = ${share.term};`);
    writer.writeLine(`var ${loaded}: f32 = 0.0;`);
    writer.write(`if (${share.inside}) `).block(() => {
      writer.writeLine(`${loaded} = ${renderer.value(share.load)};`);
    });
    writer.writeLine(`${share.into} = ${loaded};`);
  });
}

/**
 * The batch size where needed, the invocation's place in its tile and the tile's in the grid,
 * then the element's row and column indices; returns their names.
 */
function writeTilePosition(
  writer: CodeBlockWriter,
  kernel: GpuKernel,
  { tile, product }: WorkgroupPlan & { kind: 'tiled' },
  names: Namespace,
  n: TileNames,
  batch: string,
): [string, string] {
  const across = Math.ceil(product.columnExtent / tile);
  if (kernel.grid.examples || mentionsBatch(kernel.element)) {
    writer.writeLine(`let ${batch} = i32(params.batch);`);
  }
  writer.writeLine(
    `let ${n.tile} = i32(${n.group}.x + ${MAX_WORKGROUPS_PER_DIMENSION}u * ${n.group}.y);`,
  );
  writer.writeLine(`let ${n.rowInTile} = i32(${n.slot}) / ${tile};`);
  writer.writeLine(`let ${n.columnInTile} = i32(${n.slot}) % ${tile};`);
  const row = names.claim(product.rows);
  const column = names.claim(product.columns);
  writer.writeLine(`let ${row} = ${n.tile} / ${across} * ${tile} + ${n.rowInTile};`);
  writer.writeLine(`let ${column} = ${n.tile} % ${across} * ${tile} + ${n.columnInTile};`);
  return [row, column];
}

function extentCode(extent: number | 'batch', batch: string): string {
  return extent === 'batch' ? batch : String(extent);
}

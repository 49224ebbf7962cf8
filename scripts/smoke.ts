import { readFileSync } from 'node:fs';
import { renderText } from '../packages/compiler/src/emit/text.ts';
import { deriveGraph, parseGraphText } from '../packages/compiler/src/index.ts';

const file = process.argv[2]!;
const g = parseGraphText(readFileSync(file, 'utf8'), file);
const d = deriveGraph(g);
console.log(renderText(d));

/**
 * Writes the site's pages into `site/` from the compiler's own output: a page per model of
 * `examples/`, the paper's results, the playground, and `public/mnist.bin`, the digits the
 * playground trains on. Vite then builds `site/` into `dist/`.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGraphText } from '@symgrad/compiler';
import { homeBody } from '../src/pages/home.js';
import { compileExample, type Example, modelBody } from '../src/pages/model.js';
import { paperBody } from '../src/pages/paper.js';
import { playgroundBody, playgroundPresets } from '../src/pages/playground.js';
import { type NavLink, type PageShell, pageHtml } from '../src/render/layout.js';
import { mnistAsset } from './mnist-asset.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SITE = fileURLToPath(new URL('../site/', import.meta.url));

/** The models of `examples/`, in a reading order: the paper's first, then the larger ones. */
const ORDER = ['paper-dense', 'paper-conv', 'mlp', 'lenet'];

function readExamples(): Example[] {
  const folder = join(ROOT, 'examples');
  const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
  const rank = (file: string) => {
    const k = ORDER.indexOf(file.replace('.json', ''));
    return k < 0 ? ORDER.length : k;
  };
  return files
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((file) => {
      const text = readFileSync(join(folder, file), 'utf8');
      return { file, text, graph: parseGraphText(text, `examples/${file}`) };
    });
}

function pages(examples: readonly Example[]): PageShell[] {
  const models = examples.map((example) => ({
    file: `model-${example.graph.name}.html`,
    title: example.graph.name,
    description: `Every derivation step of ${example.graph.name} and the kernels made from it.`,
    body: modelBody(example, compileExample(example.graph)),
  }));
  return [
    {
      file: 'index.html',
      title: 'Symbolic gradients, step by step',
      description:
        'symgrad derives every gradient of a neural network symbolically and compiles it.',
      body: homeBody(examples),
    },
    ...models,
    {
      file: 'paper.html',
      title: "The paper's results",
      description: 'Lemma 2.1 and Theorem 2.2, derived by the compiler, then generalised.',
      body: paperBody(examples),
    },
    {
      file: 'playground.html',
      title: 'Playground',
      description:
        'Edit a layer graph, watch its derivation and code, and train it in the browser.',
      body: playgroundBody(playgroundPresets(examples)),
      script: '../src/client/playground.ts',
    },
  ];
}

function navOf(all: readonly PageShell[]): NavLink[] {
  return all.filter((p) => p.file !== 'index.html').map((p) => ({ file: p.file, label: p.title }));
}

function main(): void {
  const examples = readExamples();
  const all = pages(examples);
  rmSync(SITE, { recursive: true, force: true });
  mkdirSync(join(SITE, 'public'), { recursive: true });
  const nav = navOf(all);
  for (const page of all) writeFileSync(join(SITE, page.file), pageHtml(page, nav));
  writeFileSync(join(SITE, 'public', 'mnist.bin'), mnistAsset());
  writeFileSync(join(SITE, 'pages.json'), `${JSON.stringify(all.map((p) => p.file))}\n`);
}

main();

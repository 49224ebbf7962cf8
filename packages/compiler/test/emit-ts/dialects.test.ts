import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTypeScript as compileInBrowser } from '../../src/emit/ts/browser.js';
import { compileJavaScript, instantiateScript } from '../../src/emit/ts/compile.js';
import type { GeneratedModel } from '../../src/emit/ts/contract.js';
import { compileTypeScript, instantiateTypeScript } from '../../src/emit/ts/project.js';
import { parseGraphText } from '../../src/graph/parse.js';

const examples = new URL('../../../../examples/', import.meta.url);

function example(name: string) {
  const text = readFileSync(new URL(`${name}.json`, examples), 'utf8');
  return parseGraphText(text, `${name}.json`);
}

/** Loss after one step, and every gradient, from fixed pseudo-random weights and data. */
function trainOnce(generated: GeneratedModel, batch: number) {
  const state = generated.createState(batch);
  let seed = 7;
  const next = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  for (const w of generated.model.weights)
    (state[w.buffer] as Float32Array).forEach((_, k, a) => {
      a[k] = 0.2 * next();
    });
  (state[generated.model.input] as Float32Array).forEach((_, k, a) => {
    a[k] = next();
  });
  const target = state[generated.model.target] as Float32Array;
  for (let k = 0; k < target.length; k += target.length / batch) target[k] = 1;
  const loss = generated.trainStep(state, batch, 0.1);
  const gradients = generated.model.weights.map((w) => Array.from(state[w.gradient] ?? []));
  return { loss, gradients };
}

describe.each(['paper-dense', 'paper-conv', 'lenet'])('the dialects of %s', (name) => {
  const graph = example(name);

  it('the browser build writes the very TypeScript the ts-morph host writes', () => {
    expect(compileInBrowser(graph).module.source).toBe(compileTypeScript(graph).module.source);
  });

  it('the script computes bit for bit what the TypeScript computes', () => {
    const fromTypeScript = trainOnce(
      instantiateTypeScript(compileTypeScript(graph).module.source),
      3,
    );
    const fromScript = trainOnce(instantiateScript(compileJavaScript(graph).module.source), 3);
    expect(fromScript).toEqual(fromTypeScript);
  });

  it('the JavaScript module loads as an ES module with no types left in it', async () => {
    const { source } = compileJavaScript(graph, 'javascript').module;
    expect(source).not.toMatch(/: (number|void|State|Float32Array)\b|\bas const\b|interface /);
    const url = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
    const loaded = (await import(/* @vite-ignore */ url)) as GeneratedModel;
    expect(trainOnce(loaded, 2)).toEqual(
      trainOnce(instantiateScript(compileJavaScript(graph).module.source), 2),
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  type DerivationDocument,
  latexExpr,
  ProgramNotation,
  renderDerivation,
} from '../../src/emit/index.js';
import { derivationOf, deriveExample, only } from './examples.js';

// Lemma 2.1's derivation, the gradient of the dense kernel, in every format.
const dense = deriveExample('paper-dense.json');
const kernel = only(dense, 'out/kernel');

describe('paper-dense, gradient of the kernel', () => {
  it('as text', () => {
    expect(renderDerivation(kernel, 'text')).toMatchInlineSnapshot(`
      "dE/dw^1[i',j']  (gradient with respect to out/kernel)
        [chain rule] chain rule: the loss depends on this tensor only through the one equation that reads it, summed over their indices
          dE/dw^1[i',j'] = sum_{j=0..1} dE/dx^1[j] * dx^1[j]/dw^1[i',j']
        [definition of delta] the gradient of the loss with respect to the pre-activation x^l of layer l is its delta, delta^l = dL/dx^l, derived in an earlier step
          dE/dw^1[i',j'] = sum_{j=0..1} delta^1[j] * dx^1[j]/dw^1[i',j']
        [substitute] substitute the forward equation of each of them
          dE/dw^1[i',j'] = sum_{j=0..1} delta^1[j] * d(sum_{i=0..2} w^1[i,j] * x[i] + b^1[j])/dw^1[i',j']
        [linearity] the derivative of a sum is the sum of the derivatives, constant factors stay, and terms that do not read the variable drop out
          dE/dw^1[i',j'] = sum_{j=0..1} delta^1[j] * (sum_{i=0..2} dw^1[i,j]/dw^1[i',j'] * x[i])
        [access derivative] the derivative of an element with respect to an element of the same tensor is a Kronecker delta: 1 where their indices agree, else 0
          dE/dw^1[i',j'] = sum_{j=0..1} delta^1[j] * (sum_{i=0..2} [i' = i] * [j' = j] * x[i])
        [Kronecker delta elimination] Kronecker delta elimination: in each sum, every term vanishes except the one where i = i', j = j'; the range of each eliminated index becomes a condition on its solution
          dE/dw^1[i',j'] = [0 <= i' <= 2] [0 <= j' <= 1] * delta^1[j'] * x[i']
        [bounds] bounds: conditions that always hold for indices in range are dropped; the others become the explicit limits of the remaining sums, so each element is a gather over exactly the terms that contribute
          dE/dw^1[i',j'] = delta^1[j'] * x[i']
        [substitute] closed form: substitute the deltas, which are element-wise here, down to forward values
          dE/dw^1[i',j'] = -e[j'] * y[j'] * (1 - y[j']) * x[i']
        [rename] no summation index is left, so the primes that kept the free indices apart are dropped
          dE/dw^1[i,j] = -e[j] * y[j] * (1 - y[j]) * x[i]
        result: dE/dw^1[i',j'] = delta^1[j'] * x[i']
        closed form: dE/dw^1[i,j] = -e[j] * y[j] * (1 - y[j]) * x[i]
        update: w^1[i,j] <- w^1[i,j] - alpha * (1/B) sum_b dE/dw^1[i,j], alpha = 0.5, over the B examples of a batch
      "
    `);
  });

  it('as LaTeX', () => {
    expect(renderDerivation(kernel, 'latex')).toMatchInlineSnapshot(`
      "% paper-dense: every gradient of the loss $E$, derived step by step by symgrad.
      % One amsmath align* block per gradient; KaTeX renders each block as it is.

      % the gradient with respect to out/kernel
      \\begin{align*}
      % chain rule: the loss depends on this tensor only through the one equation that reads it, summed over their indices
      \\frac{\\partial E}{\\partial w^{1}_{i',j'}} &= \\sum_{j=0}^{1} \\frac{\\partial E}{\\partial x^{1}_{j}}\\, \\frac{\\partial x^{1}_{j}}{\\partial w^{1}_{i',j'}} && \\text{(chain rule)} \\\\
      % the gradient of the loss with respect to the pre-activation x^l of layer l is its delta, delta^l = dL/dx^l, derived in an earlier step
      &= \\sum_{j=0}^{1} \\delta^{1}_{j}\\, \\frac{\\partial x^{1}_{j}}{\\partial w^{1}_{i',j'}} && \\text{(definition of delta)} \\\\
      % substitute the forward equation of each of them
      &= \\sum_{j=0}^{1} \\delta^{1}_{j}\\, \\frac{\\partial}{\\partial w^{1}_{i',j'}} \\left(\\sum_{i=0}^{2} w^{1}_{i,j}\\, x_{i} + b^{1}_{j}\\right) && \\text{(substitute)} \\\\
      % the derivative of a sum is the sum of the derivatives, constant factors stay, and terms that do not read the variable drop out
      &= \\sum_{j=0}^{1} \\delta^{1}_{j}\\, \\sum_{i=0}^{2} \\frac{\\partial w^{1}_{i,j}}{\\partial w^{1}_{i',j'}}\\, x_{i} && \\text{(linearity)} \\\\
      % the derivative of an element with respect to an element of the same tensor is a Kronecker delta: 1 where their indices agree, else 0
      &= \\sum_{j=0}^{1} \\delta^{1}_{j}\\, \\sum_{i=0}^{2} \\delta_{i' i}\\, \\delta_{j' j}\\, x_{i} && \\text{(access derivative)} \\\\
      % Kronecker delta elimination: in each sum, every term vanishes except the one where i = i', j = j'; the range of each eliminated index becomes a condition on its solution
      &= [0 \\le i' \\le 2]\\, [0 \\le j' \\le 1]\\, \\delta^{1}_{j'}\\, x_{i'} && \\text{(Kronecker delta elimination)} \\\\
      % bounds: conditions that always hold for indices in range are dropped; the others become the explicit limits of the remaining sums, so each element is a gather over exactly the terms that contribute
      &= \\delta^{1}_{j'}\\, x_{i'} && \\text{(bounds)} \\\\
      % closed form: substitute the deltas, which are element-wise here, down to forward values
      &= -e_{j'}\\, y_{j'}\\, (1 - y_{j'})\\, x_{i'} && \\text{(substitute)} \\\\
      % no summation index is left, so the primes that kept the free indices apart are dropped
      \\frac{\\partial E}{\\partial w^{1}_{i,j}} &= -e_{j}\\, y_{j}\\, (1 - y_{j})\\, x_{i} && \\text{(rename)} \\\\
      \\frac{\\partial E}{\\partial w^{1}_{i',j'}} &= \\delta^{1}_{j'}\\, x_{i'} && \\text{(result)} \\\\
      \\frac{\\partial E}{\\partial w^{1}_{i,j}} &= -e_{j}\\, y_{j}\\, (1 - y_{j})\\, x_{i} && \\text{(closed form)} \\\\
      w^{1}_{i,j} &\\leftarrow w^{1}_{i,j} - \\alpha\\, \\frac{1}{B} \\sum_{b} \\frac{\\partial E}{\\partial w^{1}_{i,j}}, \\quad \\alpha = 0.5 && \\text{(update)}
      \\end{align*}
      "
    `);
  });

  it('as Markdown', () => {
    expect(renderDerivation(only(dense, 'loss/error'), 'markdown')).toMatchInlineSnapshot(`
      "# paper-dense

      Every gradient of the loss $E$, derived step by step.

      ## $\\frac{\\partial E}{\\partial e_{j'}}$, the gradient with respect to \`loss/error\`

      1. **substitute**: substitute the definition of the loss

         $$
         \\frac{\\partial E}{\\partial e_{j'}} = \\frac{\\partial}{\\partial e_{j'}} \\left(0.5\\, \\sum_{j=0}^{1} e_{j}^{2}\\right)
         $$

      2. **linearity**: the derivative of a sum is the sum of the derivatives, constant factors stay, and terms that do not read the variable drop out

         $$
         \\frac{\\partial E}{\\partial e_{j'}} = 0.5\\, \\sum_{j=0}^{1} \\frac{\\partial}{\\partial e_{j'}} (e_{j}^{2})
         $$

      3. **scalar rule**: (u^2)' = 2u

         $$
         \\frac{\\partial E}{\\partial e_{j'}} = 0.5\\, \\sum_{j=0}^{1} 2\\, e_{j}\\, \\frac{\\partial e_{j}}{\\partial e_{j'}}
         $$

      4. **access derivative**: the derivative of an element with respect to an element of the same tensor is a Kronecker delta: 1 where their indices agree, else 0

         $$
         \\frac{\\partial E}{\\partial e_{j'}} = 0.5\\, \\sum_{j=0}^{1} 2\\, e_{j}\\, \\delta_{j' j}
         $$

      5. **Kronecker delta elimination**: in each sum, every term vanishes except the one where j = j'; the range of each eliminated index becomes a condition on its solution

         $$
         \\frac{\\partial E}{\\partial e_{j'}} = [0 \\le j' \\le 1]\\, e_{j'}
         $$

      6. **bounds**: conditions that always hold for indices in range are dropped; the others become the explicit limits of the remaining sums, so each element is a gather over exactly the terms that contribute

         $$
         \\frac{\\partial E}{\\partial e_{j'}} = e_{j'}
         $$

      **Result**

      $$
      \\frac{\\partial E}{\\partial e_{j'}} = e_{j'}
      $$
      "
    `);
  });

  it('as JSON: the first step, the result, the closed form and the update, without the IR', () => {
    const json = renderDerivation(kernel, 'json');
    const document = JSON.parse(json, (key, value) => (key === 'ir' ? undefined : value));
    const [derivation] = (document as DerivationDocument).derivations;
    const { steps, result, closedForm, update } = derivation ?? expect.unreachable();
    expect({ firstStep: steps[0], result, closedForm, update }).toMatchInlineSnapshot(`
      {
        "closedForm": {
          "lhs": {
            "latex": "\\frac{\\partial E}{\\partial w^{1}_{i,j}}",
            "text": "dE/dw^1[i,j]",
          },
          "rhs": {
            "latex": "-e_{j}\\, y_{j}\\, (1 - y_{j})\\, x_{i}",
            "text": "-e[j] * y[j] * (1 - y[j]) * x[i]",
          },
        },
        "firstStep": {
          "after": {
            "latex": "\\sum_{j=0}^{1} \\frac{\\partial E}{\\partial x^{1}_{j}}\\, \\frac{\\partial x^{1}_{j}}{\\partial w^{1}_{i',j'}}",
            "text": "sum_{j=0..1} dE/dx^1[j] * dx^1[j]/dw^1[i',j']",
          },
          "before": {
            "latex": "\\frac{\\partial E}{\\partial w^{1}_{i',j'}}",
            "text": "dE/dw^1[i',j']",
          },
          "description": "chain rule: the loss depends on this tensor only through the one equation that reads it, summed over their indices",
          "lhs": {
            "latex": "\\frac{\\partial E}{\\partial w^{1}_{i',j'}}",
            "text": "dE/dw^1[i',j']",
          },
          "rule": "chainRule",
          "title": "chain rule",
        },
        "result": {
          "lhs": {
            "latex": "\\frac{\\partial E}{\\partial w^{1}_{i',j'}}",
            "text": "dE/dw^1[i',j']",
          },
          "rhs": {
            "latex": "\\delta^{1}_{j'}\\, x_{i'}",
            "text": "delta^1[j'] * x[i']",
          },
        },
        "update": {
          "equation": {
            "latex": "w^{1}_{i,j} \\leftarrow w^{1}_{i,j} - \\alpha\\, \\frac{1}{B} \\sum_{b} \\frac{\\partial E}{\\partial w^{1}_{i,j}}",
            "text": "w^1[i,j] <- w^1[i,j] - alpha * (1/B) sum_b dE/dw^1[i,j]",
          },
          "learningRate": 0.5,
        },
      }
    `);
  });
});

describe('latexExpr', () => {
  const notation = new ProgramNotation(dense.tensors, dense.forward.loss);

  it('writes the sigmoid derivative with sigma and the adjoint as a partial derivative', () => {
    const delta = derivationOf(dense, 'out/preActivation');
    const scalarRule = delta.steps.find((s) => s.rule === 'scalarRule');
    expect(latexExpr(scalarRule?.after as never, notation)).toMatchInlineSnapshot(
      `"\\sum_{j=0}^{1} \\frac{\\partial E}{\\partial y_{j}}\\, \\sigma(x^{1}_{j})\\, (1 - \\sigma(x^{1}_{j}))\\, \\frac{\\partial x^{1}_{j}}{\\partial x^{1}_{j'}}"`,
    );
  });

  it('writes Kronecker deltas between plain indices as delta_{i j}', () => {
    const gradient = derivationOf(dense, 'out/kernel');
    const access = gradient.steps.find((s) => s.rule === 'accessDerivative');
    expect(latexExpr(access?.after as never, notation)).toMatchInlineSnapshot(
      `"\\sum_{j=0}^{1} \\delta^{1}_{j}\\, \\sum_{i=0}^{2} \\delta_{i' i}\\, \\delta_{j' j}\\, x_{i}"`,
    );
  });
});

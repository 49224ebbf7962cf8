import type { Affine } from '../program/affine.js';

/**
 * Index arithmetic as C-like source, shared by the TypeScript and WGSL renderers: both write
 * `2 * i + m - 1` the same way and differ only in how they name an index.
 */

/** `2 * i + m - 1`, or `(p - m + 1) / 2` where the affine has a divisor. */
export function affineSource(a: Affine, name: (index: string) => string): string {
  // Positive terms first, so that `i_ - 2 * i` reads as a person writes it.
  const terms = [
    ...a.terms.filter((t) => t.coefficient > 0),
    ...a.terms.filter((t) => t.coefficient < 0),
  ];
  let text = '';
  for (const t of terms) {
    const magnitude = Math.abs(t.coefficient);
    const term = magnitude === 1 ? name(t.index) : `${magnitude} * ${name(t.index)}`;
    if (text === '') text = t.coefficient < 0 ? `-${term}` : term;
    else text += t.coefficient < 0 ? ` - ${term}` : ` + ${term}`;
  }
  if (text === '') text = String(a.constant);
  else if (a.constant !== 0) text += a.constant < 0 ? ` - ${-a.constant}` : ` + ${a.constant}`;
  if (a.divisor === 1) return text;
  // Exact: an affine with a divisor only reaches code where a divisibility test holds.
  return `${terms.length + (a.constant === 0 ? 0 : 1) > 1 ? `(${text})` : text} / ${a.divisor}`;
}

/**
 * A flat offset `sum_k stride_k * part_k`: folded into one affine (`784 * example + 28 * i + j`)
 * where no part is divided, else written part by part.
 */
export function offsetSource(
  parts: readonly { readonly stride: number; readonly value: Affine }[],
  name: (index: string) => string,
): string {
  if (parts.every((p) => p.value.divisor === 1)) {
    const coefficients = new Map<string, number>();
    let constant = 0;
    for (const { stride, value } of parts) {
      for (const t of value.terms) {
        coefficients.set(t.index, (coefficients.get(t.index) ?? 0) + stride * t.coefficient);
      }
      constant += stride * value.constant;
    }
    const terms = [...coefficients]
      .filter(([, c]) => c !== 0)
      .map(([index, coefficient]) => ({ index, coefficient }));
    return affineSource({ terms, constant, divisor: 1 }, name);
  }
  return parts
    .map(({ stride, value }) => {
      const part = affineSource(value, name);
      return stride === 1 ? `(${part})` : `${stride} * (${part})`;
    })
    .join(' + ');
}

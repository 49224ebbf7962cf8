import type { HLJSApi, Language } from 'highlight.js';

/** WGSL's reserved words that start declarations and statements. */
const KEYWORDS = [
  ...['fn', 'let', 'var', 'const', 'override', 'struct', 'alias', 'return', 'if', 'else'],
  ...['for', 'loop', 'while', 'break', 'continue', 'continuing', 'switch', 'case', 'default'],
  ...['discard', 'enable', 'requires', 'diagnostic', 'const_assert'],
];

/** Scalar, vector, matrix, array, pointer and address-space names. */
const TYPES = [
  ...['bool', 'f16', 'f32', 'i32', 'u32', 'vec2', 'vec3', 'vec4', 'mat2x2', 'mat3x3', 'mat4x4'],
  ...['array', 'atomic', 'ptr', 'storage', 'uniform', 'workgroup', 'private', 'function'],
  ...['read', 'write', 'read_write'],
];

const BUILTINS = [
  ...['abs', 'min', 'max', 'clamp', 'exp', 'exp2', 'log', 'log2', 'pow', 'sqrt', 'tanh'],
  ...['select', 'floor', 'ceil', 'round', 'fma', 'dot', 'arrayLength', 'workgroupBarrier'],
  ...['storageBarrier', 'sin', 'cos', 'sign', 'step', 'mix', 'bitcast'],
];

/**
 * A small highlight.js grammar for WGSL, which highlight.js does not ship: comments,
 * attributes (`@compute`, `@binding(1)`), keywords, types, built-in functions, numbers with
 * their suffixes, and function names at their declaration.
 */
export function wgsl(hljs: HLJSApi): Language {
  return {
    name: 'WGSL',
    aliases: ['wgsl'],
    keywords: { keyword: KEYWORDS, type: TYPES, built_in: BUILTINS, literal: ['true', 'false'] },
    contains: [
      hljs.C_LINE_COMMENT_MODE,
      hljs.C_BLOCK_COMMENT_MODE,
      { scope: 'meta', match: /@[A-Za-z_]\w*/ },
      {
        scope: 'number',
        match: /\b(0[xX][0-9a-fA-F]+|\d+\.\d*(e[+-]?\d+)?|\.\d+|\d+(e[+-]?\d+)?)[fhiu]?\b/,
      },
      { match: [/\bfn\s+/, /[A-Za-z_]\w*/], scope: { 2: 'title.function' } },
    ],
  };
}

import { indexName } from '../ts/render.js';

/**
 * Identifiers a shader may not declare: WGSL's keywords and reserved words, and the
 * predeclared types and built-in functions the emitted code calls (a declaration named
 * `max` would hide the built-in).
 */
const RESERVED = new Set(
  [
    // Keywords.
    'alias break case const const_assert continue continuing default diagnostic discard else',
    'enable false fn for if let loop override requires return struct switch true var while',
    // Reserved words.
    'NULL Self abstract active alignas alignof as asm asm_fragment async attribute auto await',
    'become binding_array cast catch class co_await co_return co_yield coherent column_major',
    'common compile compile_fragment concept const_cast consteval constexpr constinit crate',
    'debugger decltype delete demote demote_to_helper do dynamic_cast enum explicit export',
    'extends extern external fallthrough filter final finally friend from fxgroup get goto',
    'groupshared highp impl implements import inline instanceof interface layout lowp macro',
    'macro_rules match mediump meta mod module move mut mutable namespace new nil noexcept',
    'noinline nointerpolation noperspective null nullptr of operator package packoffset',
    'partition pass patch pixelfragment precise precision premerge priv protected pub public',
    'readonly ref regardless register reinterpret_cast require resource restrict self set',
    'shared sizeof smooth snorm static static_assert static_cast std subroutine super target',
    'template this thread_local throw trait try type typedef typeid typename typeof union',
    'unless unorm unsafe unsized use using varying virtual volatile wgsl where with writeonly',
    'yield',
    // Predeclared types and the built-ins the shaders call.
    'bool i32 u32 f32 f16 vec2 vec3 vec4 vec2i vec3i vec4i vec2u vec3u vec4u vec2f vec3f vec4f',
    'array atomic ptr uniform storage read read_write workgroup function private',
    'exp log tanh max min select abs clamp arrayLength',
  ]
    .join(' ')
    .split(' '),
);

/**
 * The names of one shader. Every name, whether it comes from the loop IR (`i'`, `sum1`), from
 * a buffer or from the emitter itself, is claimed here once, so that no two things share a
 * name and none hides a WGSL keyword or built-in; a clash takes a numeric suffix.
 */
export class Namespace {
  private readonly taken = new Set<string>();
  private readonly byName = new Map<string, string>();

  /** The WGSL identifier for `name`, the same on every call: `i'` -> `i_`. */
  claim(name: string): string {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const identifier = this.unique(spell(name));
    this.byName.set(name, identifier);
    return identifier;
  }

  /** A new identifier that nothing else has: `chosen1`, `mLast`, `mLast2`. */
  fresh(hint: string): string {
    return this.unique(spell(hint));
  }

  /** A new identifier from a role and a counter: `chosen1`, `chosen2`. */
  numbered(role: string): string {
    const base = spell(role);
    let counter = 1;
    while (this.taken.has(`${base}${counter}`)) counter += 1;
    return this.unique(`${base}${counter}`);
  }

  private unique(base: string): string {
    let candidate = base;
    for (let suffix = 2; this.taken.has(candidate) || RESERVED.has(candidate); suffix++) {
      candidate = `${base}${suffix}`;
    }
    this.taken.add(candidate);
    return candidate;
  }
}

/** `i'` -> `i_`, `#example` -> `example`; a leading `__` is not allowed in WGSL. */
function spell(name: string): string {
  const spelled = indexName(name);
  return spelled.startsWith('__') || spelled === '_' ? `v${spelled}` : spelled;
}

import { EquationError, invariant } from '../errors.js';
import type { EinsumAccess, EinsumExpr, EinsumIndex } from './types.js';

/**
 * The syntax of einsum equations, before any index is bound:
 *
 *   equation := access '=' expression
 *   expression := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary := '-' unary | 'sum' '(' index (',' index)* ')' product | primary
 *   primary := number | access | function '(' expression ')' | '(' expression ')'
 *   access := tensor '[' affine (',' affine)* ']'
 *   affine := ['-'] affineTerm (('+' | '-') affineTerm)*
 *   affineTerm := integer ['*' index] | index ['*' integer]
 *
 * `sum(...)` sums the product that follows it and binds tighter than `+`, as a person reads
 * `sum(i) w[i,j] * x[i] - 0.5 * x[j]`.
 */

export const EINSUM_FUNCTIONS = ['sigmoid', 'tanh', 'relu', 'exp', 'log'] as const;

type EinsumFunction = (typeof EINSUM_FUNCTIONS)[number];

/** An equation as written, with no extents or tensor roles yet. */
export interface EinsumSyntax {
  readonly output: EinsumAccess;
  readonly body: EinsumExpr;
}

interface Token {
  readonly kind: 'identifier' | 'number' | 'symbol' | 'end';
  readonly text: string;
  /** 1-based column in the equation, for messages. */
  readonly column: number;
}

const TOKEN_PATTERN =
  /\s*(?:([A-Za-z_]\w*)|(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|([[\](),=+\-*/]))/y;

/**
 * Parses `y[i,j] = sum(k) w[k,j] * x[i,k]` into an access and an expression tree. `where`
 * starts every message, e.g. `net.json: layers[2] (einsum 'mix')`.
 */
export function parseEinsum(equation: string, where = 'einsum'): EinsumSyntax {
  return new EquationParser(tokenize(equation, where), where).equation();
}

function tokenize(equation: string, where: string): Token[] {
  const tokens: Token[] = [];
  TOKEN_PATTERN.lastIndex = 0;
  while (equation.slice(TOKEN_PATTERN.lastIndex).trim() !== '') {
    const start = TOKEN_PATTERN.lastIndex;
    const match = TOKEN_PATTERN.exec(equation);
    if (!match) {
      const offset =
        start + (equation.slice(start).length - equation.slice(start).trimStart().length);
      const character = equation[offset] ?? '';
      throw syntaxError(
        where,
        offset + 1,
        `unexpected character '${character}'; equations use names, numbers, [ ] ( ) , = + - * /`,
      );
    }
    const [whole, identifier, number, symbol] = match;
    const column = start + whole.length - (identifier ?? number ?? symbol ?? '').length + 1;
    if (identifier !== undefined) tokens.push({ kind: 'identifier', text: identifier, column });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number, column });
    else tokens.push({ kind: 'symbol', text: symbol ?? '', column });
  }
  tokens.push({ kind: 'end', text: 'end of equation', column: equation.length + 1 });
  return tokens;
}

function syntaxError(where: string, column: number, text: string): EquationError {
  return new EquationError('E_EINSUM', `${where}: equation column ${column}: ${text}`);
}

/** A recursive-descent parser with one method per grammar rule. */
class EquationParser {
  private position = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly where: string,
  ) {}

  equation(): EinsumSyntax {
    const output = this.access(this.identifier('the output tensor, such as y[i]'));
    this.expect('=', "'=' after the output, as in y[i] = x[i]");
    const body = this.expression();
    if (this.peek().kind !== 'end') this.fail("an operator such as '+' or '*'");
    return { output, body };
  }

  private expression(): EinsumExpr {
    let left = this.product();
    while (this.peekSymbol('+') || this.peekSymbol('-')) {
      const op = this.next().text as '+' | '-';
      left = { kind: 'binary', op, left, right: this.product() };
    }
    return left;
  }

  private product(): EinsumExpr {
    let left = this.unary();
    while (this.peekSymbol('*') || this.peekSymbol('/')) {
      const op = this.next().text as '*' | '/';
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): EinsumExpr {
    if (this.peekSymbol('-')) {
      this.next();
      return { kind: 'negate', operand: this.unary() };
    }
    if (this.peek().text === 'sum' && this.peekSymbol('(', 1)) return this.sum();
    return this.primary();
  }

  /** `sum(m, n) product`: the indices to sum over, then the product they range over. */
  private sum(): EinsumExpr {
    this.next();
    this.expect('(', "'(' after sum");
    const indices = [this.identifier('an index name, as in sum(i)').text];
    while (this.peekSymbol(',')) {
      this.next();
      indices.push(this.identifier('an index name').text);
    }
    this.expect(')', "')' closing the summed indices");
    return { kind: 'sum', indices, body: this.product() };
  }

  private primary(): EinsumExpr {
    const token = this.peek();
    if (token.kind === 'number') {
      this.next();
      return { kind: 'number', value: Number(token.text) };
    }
    if (this.peekSymbol('(')) {
      this.next();
      const inner = this.expression();
      this.expect(')', "')'");
      return inner;
    }
    const name = this.identifier('a number, a tensor access such as x[i], or a function call');
    if (this.peekSymbol('(')) return this.call(name);
    return { kind: 'access', access: this.access(name) };
  }

  private call(name: Token): EinsumExpr {
    if (!(EINSUM_FUNCTIONS as readonly string[]).includes(name.text)) {
      throw syntaxError(
        this.where,
        name.column,
        `unknown function '${name.text}'; use one of ${EINSUM_FUNCTIONS.join(', ')}`,
      );
    }
    this.next();
    const arg = this.expression();
    this.expect(')', "')' closing the function call");
    return { kind: 'call', fn: name.text as EinsumFunction, arg };
  }

  private access(tensor: Token): EinsumAccess {
    if (!this.peekSymbol('[')) {
      throw syntaxError(
        this.where,
        tensor.column,
        `'${tensor.text}' has no indices; write it as an access such as ${tensor.text}[i]`,
      );
    }
    this.next();
    const indices = [this.affine()];
    while (this.peekSymbol(',')) {
      this.next();
      indices.push(this.affine());
    }
    this.expect(']', `']' or ',' in the indices of '${tensor.text}'`);
    return { tensor: tensor.text, indices };
  }

  /** An affine index expression with integer coefficients, such as `2*i + m - 1`. */
  private affine(): EinsumIndex {
    const coefficients: Record<string, number> = {};
    let constant = 0;
    let sign = 1;
    if (this.peekSymbol('-') || this.peekSymbol('+')) sign = this.next().text === '-' ? -1 : 1;

    for (;;) {
      const term = this.affineTerm();
      if (term.index === undefined) constant += sign * term.factor;
      else coefficients[term.index] = (coefficients[term.index] ?? 0) + sign * term.factor;
      if (!this.peekSymbol('+') && !this.peekSymbol('-')) break;
      sign = this.next().text === '-' ? -1 : 1;
    }

    for (const [index, coefficient] of Object.entries(coefficients)) {
      if (coefficient === 0) delete coefficients[index];
    }
    return { coefficients, constant };
  }

  private affineTerm(): { index: string | undefined; factor: number } {
    if (this.peek().kind === 'number') {
      const factor = this.integer();
      if (!this.peekSymbol('*')) return { index: undefined, factor };
      this.next();
      return { index: this.identifier('an index name after the coefficient').text, factor };
    }
    const index = this.identifier('an index such as i, 2*i or i+m').text;
    if (!this.peekSymbol('*')) return { index, factor: 1 };
    this.next();
    return { index, factor: this.integer() };
  }

  /** Index arithmetic is integer arithmetic: a fractional coefficient would not be an index. */
  private integer(): number {
    const token = this.peek();
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) {
      this.fail('an integer coefficient or offset (index arithmetic uses integers)');
    }
    this.next();
    return Number(token.text);
  }

  private identifier(expected: string): Token {
    const token = this.peek();
    if (token.kind !== 'identifier') this.fail(expected);
    this.next();
    return token;
  }

  private expect(symbol: string, expected: string): void {
    if (!this.peekSymbol(symbol)) this.fail(expected);
    this.next();
  }

  private fail(expected: string): never {
    const token = this.peek();
    const found = token.kind === 'end' ? 'the end of the equation' : `'${token.text}'`;
    throw syntaxError(this.where, token.column, `expected ${expected} but found ${found}`);
  }

  private peek(offset = 0): Token {
    const token = this.tokens[Math.min(this.position + offset, this.tokens.length - 1)];
    invariant(token !== undefined, 'the token list always ends with an end token');
    return token;
  }

  private peekSymbol(symbol: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'symbol' && token.text === symbol;
  }

  private next(): Token {
    const token = this.peek();
    this.position = Math.min(this.position + 1, this.tokens.length - 1);
    return token;
  }
}

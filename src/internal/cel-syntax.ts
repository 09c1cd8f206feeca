/**
 * A syntax checker for CEL expressions (github.com/google/cel-spec langdef.md grammar): tokens, balanced
 * brackets, operators with operands, calls, member access, index, lists, maps and messages. No npm CEL parser fits
 * a jsii library here (the maintained one, @bufbuild/cel, is an ESM evaluator with its own runtime dependencies to
 * bundle), so this small parser checks only syntax: a well-formed expression of the wrong type still passes, and
 * the apiserver's type check (DRA selectors must be bool) catches that at apply time.
 *
 * Returns undefined for a well-formed expression, else what is wrong and where (`at 12: ...`).
 */
export function celSyntaxError(expression: string): string | undefined {
  try {
    const p = new Parser(tokenize(expression));
    p.expr();
    if (!p.done()) p.fail(`unexpected ${p.peek().text}`);
    return undefined;
  } catch (e) {
    if (e instanceof CelSyntaxError) return e.message;
    throw e;
  }
}

class CelSyntaxError extends Error {}

interface Token { readonly kind: 'id' | 'lit' | 'op' | 'end'; readonly text: string; readonly at: number }

const RESERVED = new Set(['as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package',
  'namespace', 'return', 'var', 'void', 'while']);
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '+', '-', '*', '/', '%', '!', '?', ':', '.', ',', '(', ')', '[', ']', '{', '}'];
const NUMBER = /^(?:0x[0-9a-fA-F]+u?|\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+u?)/i;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (msg: string): never => { throw new CelSyntaxError(`at ${i}: ${msg}`); };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) { while (i < src.length && src[i] !== '\n') i++; continue; }
    const str = /^([rRbB]{0,2})('''|"""|'|")/.exec(src.slice(i));
    if (str && (str[1] === '' || /^[rRbB]+$/.test(str[1])) && (str[1] !== '' || c === '\'' || c === '"')) {
      const quote = str[2];
      const raw = /r/i.test(str[1]);
      let j = i + str[0].length;
      for (;;) {
        if (j >= src.length) fail(`unterminated string starting at ${i}`);
        if (!raw && src[j] === '\\') { j += 2; continue; }
        if (quote.length === 1 && src[j] === '\n') fail(`newline in a string starting at ${i}`);
        if (src.startsWith(quote, j)) { j += quote.length; break; }
        j++;
      }
      out.push({ kind: 'lit', text: src.slice(i, j), at: i });
      i = j;
      continue;
    }
    const num = NUMBER.exec(src.slice(i));
    if (num && (/\d/.test(c) || (c === '.' && /\d/.test(src[i + 1] ?? '')))) {
      out.push({ kind: 'lit', text: num[0], at: i });
      i += num[0].length;
      if (/[A-Za-z_]/.test(src[i] ?? '')) fail(`malformed number ${num[0]}${src[i]}`);
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      if (RESERVED.has(id[0])) fail(`"${id[0]}" is a reserved word`);
      out.push({ kind: ['true', 'false', 'null'].includes(id[0]) ? 'lit' : (id[0] === 'in' ? 'op' : 'id'), text: id[0], at: i });
      i += id[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) fail(`unexpected character ${JSON.stringify(c)}`);
    out.push({ kind: 'op', text: op!, at: i });
    i += op!.length;
  }
  out.push({ kind: 'end', text: 'end of expression', at: src.length });
  return out;
}

class Parser {
  private static readonly LEVELS = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>=', 'in'], ['+', '-'], ['*', '/', '%']];

  private i = 0;
  constructor(private readonly tokens: Token[]) {}
  public peek(): Token { return this.tokens[this.i]; }
  public done(): boolean { return this.peek().kind === 'end'; }
  public fail(msg: string): never { throw new CelSyntaxError(`at ${this.peek().at}: ${msg}`); }
  private is(text: string): boolean { const t = this.peek(); return t.kind === 'op' && t.text === text; }
  private eat(text: string): boolean { if (this.is(text)) { this.i++; return true; } return false; }
  private expect(text: string, what: string): void { if (!this.eat(text)) this.fail(`expected ${JSON.stringify(text)} ${what}, got ${this.peek().text}`); }

  public expr(): void {
    this.binary(0);
    if (this.eat('?')) { this.binary(0); this.expect(':', 'in a conditional'); this.expr(); }
  }

  private binary(level: number): void {
    if (level === Parser.LEVELS.length) { this.unary(); return; }
    this.binary(level + 1);
    while (Parser.LEVELS[level].some((o) => this.is(o))) {
      const op = this.peek().text;
      this.i++;
      if (this.done()) this.fail(`"${op}" has no right operand`);
      this.binary(level + 1);
    }
  }

  private unary(): void {
    while (this.eat('!') || this.eat('-')) { /* prefix operators */ }
    this.member();
  }

  private member(): void {
    this.primary();
    for (;;) {
      if (this.eat('.')) {
        if (this.peek().kind !== 'id') this.fail(`expected a field or method name after ".", got ${this.peek().text}`);
        this.i++;
        if (this.eat('(')) this.list(')', 'arguments');
      } else if (this.eat('[')) {
        this.expr();
        this.expect(']', 'to close an index');
      } else if (this.is('{') && this.tokens[this.i - 1].kind === 'id') {
        this.i++;
        this.fields();
      } else {
        return;
      }
    }
  }

  private primary(): void {
    const t = this.peek();
    if (this.eat('.')) { if (this.peek().kind !== 'id') this.fail('expected a name after a leading "."'); }
    if (this.peek().kind === 'id') {
      this.i++;
      if (this.eat('(')) this.list(')', 'arguments');
      return;
    }
    if (t.kind === 'lit') { this.i++; return; }
    if (this.eat('(')) { this.expr(); this.expect(')', 'to close "("'); return; }
    if (this.eat('[')) { this.list(']', 'list elements'); return; }
    if (this.eat('{')) { this.mapEntries(); return; }
    this.fail(t.kind === 'end' ? 'the expression ends where an operand is expected' : `unexpected ${t.text} where an operand is expected`);
  }

  private list(close: string, what: string): void {
    if (this.eat(close)) return;
    for (;;) {
      this.expr();
      if (this.eat(close)) return;
      this.expect(',', `between ${what} (or ${JSON.stringify(close)} to close them)`);
      if (this.eat(close)) return;
    }
  }

  private mapEntries(): void {
    if (this.eat('}')) return;
    for (;;) {
      this.expr();
      this.expect(':', 'after a map key');
      this.expr();
      if (this.eat('}')) return;
      this.expect(',', 'between map entries (or "}" to close the map)');
      if (this.eat('}')) return;
    }
  }

  private fields(): void {
    if (this.eat('}')) return;
    for (;;) {
      if (this.peek().kind !== 'id') this.fail('expected a field name in a message literal');
      this.i++;
      this.expect(':', 'after a field name');
      this.expr();
      if (this.eat('}')) return;
      this.expect(',', 'between fields (or "}" to close the message)');
      if (this.eat('}')) return;
    }
  }
}

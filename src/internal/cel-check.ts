import type * as CelJs from '@marcbachmann/cel-js' with { 'resolution-mode': 'import' };

/**
 * What a CEL expression may refer to, in the signature syntax of @marcbachmann/cel-js (`name(string): int`,
 * `Type.method(int): bool`, `list<A>`, `map<string, dyn>`).
 */
export interface CelEnvironmentSpec {
  /** Types known only by name, such as `kubernetes.Quantity`. */
  readonly opaqueTypes: readonly string[];
  /** Message types: type name to field name to field type. */
  readonly objectTypes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Top-level variables: name to type. */
  readonly variables: Readonly<Record<string, string>>;
  /** Function and method signatures beyond the CEL standard library. */
  readonly functions: readonly string[];
  /** Opaque and message types whose values compare with `==` and `!=` (every type does, in cel-go). */
  readonly equatableTypes: readonly string[];
  /**
   * Namespaced functions the library cannot declare (`sets.contains`, or `sets.*` for the whole namespace). An
   * expression that calls one is checked for syntax only, so it is never refused for a call the target has.
   */
  readonly untypedFunctions: readonly string[];
  /**
   * Receiver macros whose forms with three or more arguments the library cannot type (two-variable comprehensions
   * such as `m.all(k, v, p)`); an expression that uses one is checked for syntax only.
   */
  readonly untypedMacros: readonly string[];
  /** Whether `.?field`, `[?key]` and `optional.*` are part of the language. */
  readonly optionalTypes: boolean;
  /** The types the whole expression may have. */
  readonly resultTypes: readonly string[];
}

/**
 * Parses and type-checks CEL expressions with @marcbachmann/cel-js against a declared environment. `problem`
 * returns undefined for a well-typed expression, else what is wrong and where (`at 12: ...`, a 0-based offset).
 *
 * The library is ES modules only and is loaded on first use: a require() of it needs Node.js 20.19 or later, so an
 * older Node.js fails only when a CEL expression is checked.
 */
export class CelChecker {
  private env: CelJs.Environment | undefined;

  constructor(private readonly spec: CelEnvironmentSpec) {}

  public problem(expression: string): string | undefined {
    const env = this.environment();
    let parsed: CelJs.ParseResult;
    try {
      parsed = env.parse(expression);
    } catch (e) {
      return describe(e, expression, (pos) => pos);
    }
    if (usesUntyped(parsed.ast, this.spec)) return undefined;
    const rewritten = rewriteHas(expression, hasCallsOffRoot(parsed.ast));
    const result = env.check(rewritten.text);
    if (!result.valid) return describe(result.error, expression, rewritten.toSource);
    if (!this.spec.resultTypes.includes(result.type!)) {
      return `evaluates to ${result.type}, not ${this.spec.resultTypes.join(' or ')}`;
    }
    return undefined;
  }

  private environment(): CelJs.Environment {
    if (this.env) return this.env;
    const cel = loadCelJs();
    const env = new cel.Environment({ enableOptionalTypes: this.spec.optionalTypes, homogeneousAggregateLiterals: true });
    for (const name of this.spec.opaqueTypes) env.registerType(name, class {});
    for (const [name, fields] of Object.entries(this.spec.objectTypes)) env.registerType(name, { fields: { ...fields } });
    for (const [name, type] of Object.entries(this.spec.variables)) env.registerVariable(name, type);
    for (const signature of this.spec.functions) env.registerFunction(signature, declaredOnly);
    for (const type of this.spec.equatableTypes) env.registerOperator(`${type} == ${type}`, declaredOnly);
    this.env = env;
    return env;
  }
}

function declaredOnly(): never {
  throw new Error('declared for type checking only');
}

type CelJsModule = typeof import('@marcbachmann/cel-js', { with: { 'resolution-mode': 'import' } });

function loadCelJs(): CelJsModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@marcbachmann/cel-js');
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_REQUIRE_ESM') {
      throw new Error('checking CEL expressions needs Node.js 20.19 or later, which can require() the ES module ' +
        `@marcbachmann/cel-js; this is Node.js ${process.version}`);
    }
    throw e;
  }
}

/** `at N: summary`, N mapped back to the user's expression; CEL fragments in double quotes (see textForCallers). */
function describe(error: unknown, expression: string, toSource: (pos: number) => number): string {
  if (!(error instanceof Error) || !('code' in error)) throw error;
  const e = error as CelJs.ParseError | CelJs.TypeError;
  const start = e.range?.start ?? 0;
  const at = toSource(start);
  let summary = e.summary ?? e.message.split('\n')[0];
  // The library names the last character of a misplaced token as the unexpected one; name the token instead.
  if (e.code === 'unexpected_character' && e.range && e.range.end - start > 1) {
    summary = `unexpected ${JSON.stringify(expression.slice(at, at + e.range.end - start))}`;
  }
  return `at ${at}: ${summary.replace(/'([^'\n]*)'/g, (_, s: string) => JSON.stringify(s))}`;
}

type Node = CelJs.ASTNode;

function children(node: Node): Node[] {
  const out: Node[] = [];
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x !== null && typeof x === 'object' && 'op' in x) out.push(x as Node);
  };
  if (node.op !== 'value') visit(node.args);
  return out;
}

function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const c of children(node)) walk(c, visit);
}

function usesUntyped(ast: Node, spec: CelEnvironmentSpec): boolean {
  let found = false;
  walk(ast, (n) => {
    if (n.op !== 'rcall') return;
    const [name, receiver, args] = n.args;
    if (receiver.op === 'id' && [`${receiver.args}.${name}`, `${receiver.args}.*`].some((f) => spec.untypedFunctions.includes(f))) found = true;
    if (args.length >= 3 && spec.untypedMacros.includes(name)) found = true;
  });
  return found;
}

interface HasEdit {
  readonly start: number;
  readonly end: number;
  readonly receiverStart: number;
  readonly receiverEnd: number;
  readonly field: string;
}

/**
 * `has(e.f)` whose `e` is not a chain of fields on a variable, such as `has(device.attributes['x'].model)`: valid
 * CEL, but @marcbachmann/cel-js 8.0.0 refuses it ("has() invalid argument", marcbachmann/cel-js#104). For type
 * checking it means the same as `'f' in e`.
 */
function hasCallsOffRoot(ast: Node): HasEdit[] {
  const edits: HasEdit[] = [];
  walk(ast, (n) => {
    if (n.op !== 'call' || n.args[0] !== 'has' || n.args[1].length !== 1) return;
    const select = n.args[1][0];
    if (select.op !== '.') return;
    let root: Node = select;
    while (root.op === '.' || root.op === '.?') root = root.args[0];
    if (root.op === 'id') return;
    const receiver = select.args[0].range;
    edits.push({ start: n.range.start, end: n.range.end, receiverStart: receiver.start, receiverEnd: receiver.end, field: select.args[1] });
  });
  return edits.sort((a, b) => a.start - b.start);
}

/** One run of the rewritten text: copied from the source at `from`, or generated in place of the source at `from`. */
interface Piece { readonly text: string; readonly from: number; readonly copied: boolean }

function rewriteHas(source: string, edits: readonly HasEdit[]): { text: string; toSource: (pos: number) => number } {
  if (edits.length === 0) return { text: source, toSource: (pos) => pos };
  const pieces: Piece[] = [];
  emit(source, 0, source.length, edits, pieces);
  const text = pieces.map((p) => p.text).join('');
  const toSource = (pos: number): number => {
    let offset = 0;
    for (const p of pieces) {
      if (pos < offset + p.text.length) return p.copied ? p.from + (pos - offset) : p.from;
      offset += p.text.length;
    }
    return source.length;
  };
  return { text, toSource };
}

function emit(source: string, start: number, end: number, edits: readonly HasEdit[], out: Piece[]): void {
  let cursor = start;
  let i = 0;
  while (i < edits.length) {
    const edit = edits[i];
    let j = i + 1;
    while (j < edits.length && edits[j].start < edit.end) j++;
    out.push({ text: source.slice(cursor, edit.start), from: cursor, copied: true });
    out.push({ text: `('${edit.field}' in `, from: edit.start, copied: false });
    emit(source, edit.receiverStart, edit.receiverEnd, edits.slice(i + 1, j), out);
    out.push({ text: ')', from: edit.start, copied: false });
    cursor = edit.end;
    i = j;
  }
  out.push({ text: source.slice(cursor, end), from: cursor, copied: true });
}

/**
 * Every public summary is one complete sentence (issue 21). jsii takes each type's and member's `docs.summary` from
 * its jsdoc (the first paragraph when it is under 20 words, else the text up to the first `.`, `!`, `?` or `;`
 * followed by a space) and API.md and the Python and Go docstrings show it, so a summary cut at `;` or one ending in
 * `:` reads as a fragment there. This test reads the assembly jsii writes (.jsii) and checks the summary of every
 * type, property, method, method parameter, initializer parameter and enum member, and the `@default` of every
 * optional struct property. The last tests feed hand-made bad docs to the same checker, so the rules can fail.
 */
import { freshAssembly } from './fresh-assembly';


/** The parts of a jsii assembly (@jsii/spec) the checks read. */
interface Docs {
  readonly summary?: string;
  readonly remarks?: string;
  readonly default?: string;
}
interface TypeRef {
  readonly fqn?: string;
  readonly primitive?: string;
}
interface Parameter {
  readonly name: string;
  readonly type: TypeRef;
  readonly docs?: Docs;
}
interface Callable {
  readonly name?: string;
  readonly docs?: Docs;
  readonly parameters?: Parameter[];
}
interface Property {
  readonly name: string;
  readonly docs?: Docs;
  readonly optional?: boolean;
}
interface JsiiType {
  readonly fqn: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly datatype?: boolean;
  readonly docs?: Docs;
  readonly locationInModule?: { readonly filename: string };
  readonly initializer?: Callable;
  readonly methods?: Callable[];
  readonly properties?: Property[];
  readonly members?: { readonly name: string; readonly docs?: Docs }[];
}
interface Assembly {
  readonly types: Record<string, JsiiType>;
}

interface Offence {
  readonly file: string;
  readonly fqn: string;
  readonly problem: string;
  readonly summary?: string;
}

const ABBREVIATION_AT_END = /\b(e\.g|i\.e|cf|vs|approx)\.$/;

/**
 * What is wrong with one summary as a sentence: it must end with `.`, `?` or `!` (jsii appends a `.` to a summary
 * without one, so a summary cut at `:` or `,` ends in `:.` or `,.`), start with an upper-case letter or a code span,
 * and not stop in the middle: after an abbreviation, or with a code span, parenthesis, bracket or quote still open.
 */
function summaryProblems(summary: string): string[] {
  const problems: string[] = [];
  if (!/[.?!]$/.test(summary)) problems.push('does not end with `.`, `?` or `!`');
  else if (/[:;,]\.$/.test(summary)) problems.push(`is cut at \`${summary.slice(-2, -1)}\``);
  if (ABBREVIATION_AT_END.test(summary)) problems.push('is cut after an abbreviation');
  if (!/^[A-Z`]/.test(summary)) problems.push('does not start with an upper-case letter or a code span');
  if ((summary.match(/`/g) ?? []).length % 2 !== 0) problems.push('has an unclosed code span');
  const prose = summary.replace(/`[^`]*`/g, '');
  for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']]) {
    let depth = 0;
    for (const c of prose) {
      if (c === open) depth++;
      if (c === close && --depth < 0) break;
    }
    if (depth !== 0) problems.push(`has unbalanced \`${open}${close}\``);
  }
  if ((prose.match(/"/g) ?? []).length % 2 !== 0) problems.push('has an unclosed `"`');
  return problems;
}

function mentions(docs: Docs | undefined, name: string): boolean {
  return `${docs?.summary ?? ''}\n${docs?.remarks ?? ''}`.includes(`\`${name}\``);
}

/**
 * A parameter may go without a summary of its own only when it is documented elsewhere: its method's (or
 * initializer's) summary or remarks names it as a code span, its type is a struct of this assembly (whose properties
 * carry their own checked docs), or it is the `scope` or `id` of an initializer (the constructs convention).
 */
function parameterDocumentedElsewhere(assembly: Assembly, callable: Callable, p: Parameter, initializer: boolean): boolean {
  if (mentions(callable.docs, p.name)) return true;
  const type = p.type.fqn ? assembly.types[p.type.fqn] : undefined;
  if (type?.kind === 'interface' && type.datatype) return true;
  return initializer && ((p.name === 'scope' && p.type.fqn === 'constructs.Construct')
    || (p.name === 'id' && p.type.primitive === 'string'));
}

/** Every offence in the assembly, members under their type's source file. */
function docOffences(assembly: Assembly): Offence[] {
  const offences: Offence[] = [];
  for (const type of Object.values(assembly.types)) {
    const file = type.locationInModule?.filename ?? '(unknown file)';
    const check = (fqn: string, docs: Docs | undefined, mayLack: boolean) => {
      const summary = docs?.summary;
      if (summary === undefined) {
        if (!mayLack) offences.push({ file, fqn, problem: 'has no summary' });
        return;
      }
      for (const problem of summaryProblems(summary)) offences.push({ file, fqn, problem, summary });
    };
    check(type.fqn, type.docs, false);
    const callables: [string, Callable, boolean][] = [
      ...(type.initializer ? [['constructor', type.initializer, true] as [string, Callable, boolean]] : []),
      ...(type.methods ?? []).map((m): [string, Callable, boolean] => [`${m.name}()`, m, false]),
    ];
    for (const [name, callable, initializer] of callables) {
      if (!initializer) check(`${type.fqn}#${name}`, callable.docs, false);
      for (const p of callable.parameters ?? []) {
        check(`${type.fqn}#${name}.${p.name}`, p.docs, parameterDocumentedElsewhere(assembly, callable, p, initializer));
      }
    }
    for (const p of type.properties ?? []) {
      const fqn = `${type.fqn}#${p.name}`;
      check(fqn, p.docs, false);
      if (type.kind === 'interface' && type.datatype && p.optional && p.docs?.default === undefined) {
        offences.push({ file, fqn, problem: 'is optional but has no `@default`' });
      }
    }
    for (const m of type.members ?? []) check(`${type.fqn}.${m.name}`, m.docs, false);
  }
  return offences;
}

function describeOffence(o: Offence): string {
  return `${o.file} ${o.fqn} ${o.problem}${o.summary === undefined ? '' : `: "${o.summary}"`}`;
}

describe('the public API docs', () => {
  test('every summary is one complete sentence and every optional prop has a @default', () => {
    const assembly = freshAssembly<Assembly>();
    expect(Object.keys(assembly.types).length).toBeGreaterThan(100);
    const offences = docOffences(assembly);
    expect(offences.map(describeOffence)).toEqual([]);
  }, 300_000);

  test('the checker rejects cut and fragment summaries and accepts whole sentences', () => {
    expect(summaryProblems('The DNS namespace.')).toEqual([]);
    expect(summaryProblems('`count` whole GPUs per pod, optionally of one model (e.g. `H100`).')).toEqual([]);
    expect(summaryProblems('Is the gate on?')).toEqual([]);
    expect(summaryProblems('Props for X;')).toEqual(['does not end with `.`, `?` or `!`']);
    expect(summaryProblems('Where the cluster DNS runs:.')).toEqual(['is cut at `:`']);
    expect(summaryProblems('Prefers short queues (`queue-scorer`;')).toEqual([
      'does not end with `.`, `?` or `!`', 'has unbalanced `()`',
    ]);
    expect(summaryProblems('the backend.')).toEqual(['does not start with an upper-case letter or a code span']);
    expect(summaryProblems('Any attribute, e.g.')).toEqual(['is cut after an abbreviation']);
    expect(summaryProblems('Runs `helm install.')).toEqual(['has an unclosed code span']);
  });

  test('the checker names missing summaries, undocumented parameters and missing defaults', () => {
    const bad: Assembly = {
      types: {
        'x.Props': {
          fqn: 'x.Props',
          kind: 'interface',
          datatype: true,
          docs: { summary: 'Props for X;' },
          locationInModule: { filename: 'src/x.ts' },
          properties: [{ name: 'size', optional: true, docs: { summary: 'The size.' } }],
        },
        'x.X': {
          fqn: 'x.X',
          kind: 'class',
          locationInModule: { filename: 'src/x.ts' },
          docs: { summary: 'An X.' },
          initializer: {
            parameters: [
              { name: 'scope', type: { fqn: 'constructs.Construct' } },
              { name: 'id', type: { primitive: 'string' } },
              { name: 'props', type: { fqn: 'x.Props' } },
            ],
          },
          methods: [
            { name: 'of', docs: { summary: 'The X of `scope`.' }, parameters: [{ name: 'scope', type: { fqn: 'constructs.IConstruct' } }] },
            { name: 'weigh', docs: { summary: 'Weighs it.' }, parameters: [{ name: 'weight', type: { primitive: 'number' } }] },
            { name: 'undocumented', parameters: [] },
          ],
        },
      },
    };
    expect(docOffences(bad).map(describeOffence)).toEqual([
      'src/x.ts x.Props does not end with `.`, `?` or `!`: "Props for X;"',
      'src/x.ts x.Props#size is optional but has no `@default`',
      'src/x.ts x.X#weigh().weight has no summary',
      'src/x.ts x.X#undocumented() has no summary',
    ]);
  });
});

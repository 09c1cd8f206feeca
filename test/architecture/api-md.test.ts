/**
 * API.md groups the types the way the README introduces them (issue 21). The `docgen` task runs jsii-docgen, then
 * tools/docs/api-md.ts, which regroups docgen's `### Name` blocks by source folder. This test regenerates that output
 * from the current assembly and reads the committed API.md, and checks both: the groups follow the README's "API
 * overview" table, every type of the assembly appears exactly once, and no type fell into the "Other" group (a new
 * source folder must be mapped to a group). The last tests feed hand-made bad input to the same checks.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshAssembly, ROOT } from './fresh-assembly';
import {
  AssemblyTypes, GROUPS, OTHER_GROUP, WrittenGroup, checkBlocksPreserved, groupApiMarkdown, parseApiMarkdown, readGroups,
} from '../../tools/docs/api-md';


/** The backticked names in the first cell of each row of the README's "API overview" table, row by row. */
function readmeOverviewRows(readme: string): string[][] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith('## API overview'));
  if (start < 0) throw new Error('README.md has no "## API overview" section');
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    const cell = lines[i].split('|')[1];
    rows.push([...cell.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]));
  }
  return rows;
}

function typeName(fqn: string): string {
  return fqn.slice(fqn.lastIndexOf('.') + 1);
}

/** What is wrong with the groups of a grouped API.md, given the assembly's fqns and the README. */
function apiMdProblems(groups: WrittenGroup[], assemblyFqns: string[], readme: string): string[] {
  const problems: string[] = [];
  const other = groups.find((g) => g.id === OTHER_GROUP.id);
  if (other) problems.push(`the Other group holds ${other.fqns.join(', ')}: map their folder in GROUPS (tools/docs/api-md.ts)`);
  const seen = new Map<string, number>();
  for (const fqn of groups.flatMap((g) => g.fqns)) seen.set(fqn, (seen.get(fqn) ?? 0) + 1);
  for (const fqn of assemblyFqns) {
    const n = seen.get(fqn) ?? 0;
    if (n !== 1) problems.push(`${fqn} appears ${n} times`);
    seen.delete(fqn);
  }
  for (const fqn of seen.keys()) problems.push(`${fqn} is not a type of the assembly`);
  const rows = readmeOverviewRows(readme);
  let previous = -1;
  for (const group of groups.filter((g) => g.id !== OTHER_GROUP.id)) {
    const names = new Set(group.fqns.map(typeName));
    const row = rows.findIndex((r) => r.some((n) => names.has(n)));
    if (row < 0) problems.push(`the README's API overview introduces no type of "${group.title}"`);
    else if (row <= previous) problems.push(`"${group.title}" comes before a group the README introduces earlier`);
    previous = Math.max(previous, row);
  }
  return problems;
}

/** Runs `read` and retries a few times: another test may be rewriting .jsii (test/architecture/api-docs.test.ts). */
function withRetries<T>(read: () => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return read();
    } catch (e) {
      if (attempt === 3) throw e;
      execFileSync('sleep', ['2']);
    }
  }
}

/** What the `docgen` task writes to API.md for the current assembly, written to a scratch directory instead. */
function regenerate(assembly: AssemblyTypes): { markdown: string; other: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-md-'));
  try {
    const docgen = path.join(dir, 'API.md');
    withRetries(() => execFileSync(path.join(ROOT, 'node_modules', '.bin', 'jsii-docgen'), ['-o', docgen], { cwd: ROOT, stdio: 'pipe' }));
    return groupApiMarkdown(fs.readFileSync(docgen, 'utf8'), assembly);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A minimal jsii-docgen output: one block per `[section, name]`. */
function docgenMarkdown(types: [string, string][]): string {
  const lines = ['# API Reference <a name="API Reference" id="api-reference"></a>', ''];
  let section = '';
  for (const [s, name] of types) {
    if (s !== section) lines.push(`## ${s} <a name="${s}" id="${s}"></a>`, '');
    section = s;
    lines.push(`### ${name} <a name="${name}" id="x.${name}"></a>`, '', `The ${name}.`, '', '---', '');
  }
  return lines.join('\n');
}

describe('API.md', () => {
  let assembly: AssemblyTypes;
  let readme: string;
  beforeAll(() => {
    assembly = freshAssembly<AssemblyTypes>();
    readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  }, 300_000);

  test('what the docgen task writes is grouped in README order, every type once, nothing under Other', () => {
    const fqns = Object.keys(assembly.types);
    expect(fqns.length).toBeGreaterThan(100);
    const { markdown, other } = regenerate(assembly);
    expect(other).toEqual([]);
    const groups = readGroups(markdown);
    expect(groups.map((g) => g.id)).toEqual(GROUPS.map((g) => g.id));
    expect(apiMdProblems(groups, fqns, readme)).toEqual([]);
    expect(groupApiMarkdown(markdown, assembly).markdown).toBe(markdown); // regrouping changes nothing
  }, 120_000);

  test('the committed API.md is grouped the same way (run `npx projen docgen` if this fails)', () => {
    const groups = readGroups(fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8'));
    expect(groups.map((g) => g.id)).toEqual(GROUPS.map((g) => g.id));
    expect(apiMdProblems(groups, Object.keys(assembly.types), readme)).toEqual([]);
  });

  test('a type from a folder no group maps goes to Other, and the checks name it', () => {
    const md = docgenMarkdown([['Constructs', 'Pool'], ['Constructs', 'Stray'], ['Structs', 'PoolProps']]);
    const fake: AssemblyTypes = {
      types: {
        'x.Pool': { locationInModule: { filename: 'src/accelerators/pool.ts' } },
        'x.PoolProps': { locationInModule: { filename: 'src/accelerators/pool.ts' } },
        'x.Stray': { locationInModule: { filename: 'src/newfolder/stray.ts' } },
      },
    };
    const { markdown, other } = groupApiMarkdown(md, fake);
    expect(other).toEqual(['x.Stray']);
    const groups = readGroups(markdown);
    expect(groups.map((g) => [g.id, g.fqns])).toEqual([['accelerators', ['x.Pool', 'x.PoolProps']], ['other', ['x.Stray']]]);
    const fqns = Object.keys(fake.types);
    expect(apiMdProblems(groups, fqns, '## API overview\n\n| a | b |\n| --- | --- |\n| `GpuNodePool`, `Pool` | x |\n')).toEqual([
      'the Other group holds x.Stray: map their folder in GROUPS (tools/docs/api-md.ts)',
    ]);
  });

  test('the checks name groups out of README order, missing and repeated types', () => {
    const groups: WrittenGroup[] = [
      { id: 'serving', title: 'Serving', fqns: ['x.Server', 'x.Server'] },
      { id: 'cluster', title: 'Cluster and profile', fqns: ['x.Profile'] },
    ];
    const readmeRows = '## API overview\n\n| a | b |\n| --- | --- |\n| `Profile` | x |\n| `Server` | y |\n';
    expect(apiMdProblems(groups, ['x.Profile', 'x.Server', 'x.Lost'], readmeRows)).toEqual([
      'x.Server appears 2 times',
      'x.Lost appears 0 times',
      '"Cluster and profile" comes before a group the README introduces earlier',
    ]);
  });

  test('the tool refuses to lose, repeat or change a block of docgen output', () => {
    const md = docgenMarkdown([['Constructs', 'Pool'], ['Enums', 'Mode']]);
    const blocks = parseApiMarkdown(md);
    const fake: AssemblyTypes = { types: { 'x.Pool': { locationInModule: { filename: 'src/accelerators/p.ts' } } } };
    const grouped = groupApiMarkdown(md, fake).markdown;
    expect(() => checkBlocksPreserved(blocks, grouped)).not.toThrow();
    const poolBlock = blocks.find((b) => b.fqn === 'x.Pool')!.text;
    expect(() => checkBlocksPreserved(blocks, grouped.replace(poolBlock, ''))).toThrow('x.Pool is missing');
    expect(() => checkBlocksPreserved(blocks, grouped.replace(poolBlock, `${poolBlock}\n\n${poolBlock}`))).toThrow('x.Pool appears 2 times');
    expect(() => checkBlocksPreserved(blocks, grouped.replace('The Pool.', 'The pool.'))).toThrow('x.Pool was changed');
    expect(() => parseApiMarkdown(md.replace('## Constructs', 'A stray paragraph.\n\n## Constructs'))).toThrow('text outside a type block would be lost');
  });
});

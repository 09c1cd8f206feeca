/**
 * Groups API.md the way the README introduces the library (issue 21). jsii-docgen lists every type alphabetically
 * under Constructs, Structs, Classes, Protocols and Enums; this step, run by the `docgen` task after jsii-docgen,
 * regroups docgen's `### Name` blocks by the source folder each type lives in (the `.jsii` assembly records it as
 * `locationInModule.filename`), in README order, with a table of contents. Each block is copied byte for byte and
 * the step fails unless every block of docgen's output appears exactly once in what it writes. A type whose folder
 * no group maps lands in an "Other" group (test/architecture/api-md.test.ts fails while that group exists).
 *
 * Usage: `ts-node tools/docs/api-md.ts [docgen-output] [API.md] [.jsii]`. The input may also be a grouped API.md
 * (regrouping it gives the same bytes), and API.md is replaced atomically, so a reader never sees half a file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One group of API.md: a README section and the source folders whose types it documents. */
export interface ApiGroup {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** Folder prefixes (relative to the project, with a trailing `/`) whose types belong here. */
  readonly folders: string[];
}

/** The groups in the order the README introduces them (its "API overview" table, top to bottom). */
export const GROUPS: ApiGroup[] = [
  {
    id: 'cluster',
    title: 'Cluster and profile',
    summary: 'The target cluster: Kubernetes version, feature gates, add-ons, DRA or device plugin, the monitoring stack.',
    folders: ['src/cluster/'],
  },
  {
    id: 'accelerators',
    title: 'Accelerators and node pools',
    summary: 'What a workload needs in accelerators, and where GPU pods land: node pools, provisioners, device classes, the GPU operator.',
    folders: ['src/accelerators/'],
  },
  {
    id: 'serving',
    title: 'Serving',
    summary: 'Model servers on GPUs behind Gateway API inference routes: server, model source, route, endpoint picker, autoscaling, metrics.',
    folders: ['src/serving/'],
  },
  {
    id: 'training',
    title: 'Training',
    summary: 'Distributed training admitted all together or not at all: the gang, its scheduler, backend, launcher and topology.',
    folders: ['src/training/'],
  },
  {
    id: 'agents',
    title: 'Agents',
    summary: 'Agents and the tools they call, in sandboxes: a sandbox runtime (gVisor, Kata), closed egress, secrets as files.',
    folders: ['src/agents/'],
  },
  {
    id: 'evals',
    title: 'Eval gates',
    summary: 'Keeps a model version away from real traffic until its evals pass, and the delivery tools that hold it back.',
    folders: ['src/evals/'],
  },
  {
    id: 'platform',
    title: 'Platform: tenants, observability and the report',
    summary: 'The platform around the workloads: tenants, recording and alerting rules, dashboards, the readiness report.',
    folders: ['src/platform/'],
  },
  {
    id: 'security',
    title: 'Security',
    summary: 'Signed images, image admission, and the security settings a workload may choose while staying `restricted`.',
    folders: ['src/security/'],
  },
];

/** Where a type whose folder no group maps goes; its presence fails test/architecture/api-md.test.ts. */
export const OTHER_GROUP: ApiGroup = {
  id: 'other',
  title: 'Other',
  summary: 'Types from a source folder no group maps: add the folder to `GROUPS` in tools/docs/api-md.ts.',
  folders: [],
};

/** docgen's section names, in docgen's order, and what API.md calls them. */
const KINDS: readonly (readonly [docgen: string, label: string])[] = [
  ['Constructs', 'Constructs'],
  ['Structs', 'Structs'],
  ['Classes', 'Classes'],
  ['Protocols', 'Interfaces'],
  ['Enums', 'Enums'],
];

const TITLE_LINE = '# API Reference <a name="API Reference" id="api-reference"></a>';
const CONTENTS_LINE = '## Contents <a name="Contents" id="api-contents"></a>';
const DOCGEN_SECTION = /^## (Constructs|Structs|Classes|Protocols|Enums) <a name="\1" id="\1"><\/a>$/;
const TYPE_HEADING = /^### (\S+) <a name="\1" id="([^"]+)"><\/a>$/;
const GROUP_HEADING = /^## (.+) <a name="\1" id="api-group-([a-z]+)"><\/a>$/;
const KIND_LABEL = /^\*\*(Constructs|Structs|Classes|Interfaces|Enums)\*\* <a name="[^"]*" id="api-group-[a-z]+-[a-z]+"><\/a>$/;

/** One `### Name` block of docgen's output: its heading line and everything up to the next heading. */
export interface TypeBlock {
  /** docgen's section: Constructs, Structs, Classes, Protocols or Enums. */
  readonly kind: string;
  readonly name: string;
  /** The anchor id, which is the type's fqn (`cdk8s-ai.Name`). */
  readonly fqn: string;
  /** The block's lines joined, without trailing blank lines. */
  readonly text: string;
}

function docgenKindOfLabel(label: string): string {
  return KINDS.find(([, l]) => l === label)![0];
}

/**
 * The type blocks of docgen's API.md, or of a grouped one. In docgen's format nothing but the title, the section
 * headings and blank lines may sit outside a block (so no text is dropped); a grouped file's own headings, contents
 * and summaries are regenerated, so they are skipped.
 */
export function parseApiMarkdown(markdown: string): TypeBlock[] {
  const lines = markdown.split('\n');
  const grouped = lines.includes(CONTENTS_LINE);
  const blocks: TypeBlock[] = [];
  let kind: string | undefined;
  let current: { kind: string; name: string; fqn: string; lines: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    while (current.lines.length > 0 && current.lines[current.lines.length - 1].trim() === '') current.lines.pop();
    blocks.push({ kind: current.kind, name: current.name, fqn: current.fqn, text: current.lines.join('\n') });
    current = undefined;
  };
  lines.forEach((line, i) => {
    const section = DOCGEN_SECTION.exec(line);
    const label = grouped ? KIND_LABEL.exec(line) : null;
    if (section || label || (grouped && GROUP_HEADING.test(line))) {
      flush();
      if (section) kind = section[1];
      else if (label) kind = docgenKindOfLabel(label[1]);
      return;
    }
    const heading = TYPE_HEADING.exec(line);
    if (heading) {
      if (!kind) throw new Error(`API.md line ${i + 1}: type "${heading[1]}" outside a section`);
      flush();
      current = { kind, name: heading[1], fqn: heading[2], lines: [line] };
      return;
    }
    if (current) current.lines.push(line);
    else if (!grouped && line.trim() !== '' && !(i === 0 && line === TITLE_LINE)) {
      throw new Error(`API.md line ${i + 1}: text outside a type block would be lost: "${line}"`);
    }
  });
  flush();
  return blocks;
}

/** The parts of a jsii assembly this step reads. */
export interface AssemblyTypes {
  readonly types: Record<string, { readonly locationInModule?: { readonly filename: string } }>;
}

/** The group of a source file: the group with the longest folder prefix of it, else `OTHER_GROUP`. */
export function groupOfFile(filename: string | undefined): ApiGroup {
  let best: ApiGroup = OTHER_GROUP;
  let bestLength = -1;
  for (const group of GROUPS) {
    for (const folder of group.folders) {
      if (filename?.startsWith(folder) && folder.length > bestLength) {
        best = group;
        bestLength = folder.length;
      }
    }
  }
  return best;
}

/** A group with its blocks, by docgen kind (each kind's blocks in docgen's order). */
interface FilledGroup {
  readonly group: ApiGroup;
  readonly byKind: Map<string, TypeBlock[]>;
}

function fillGroups(blocks: TypeBlock[], assembly: AssemblyTypes): FilledGroup[] {
  const filled = [...GROUPS, OTHER_GROUP].map((group) => ({ group, byKind: new Map<string, TypeBlock[]>() }));
  for (const block of blocks) {
    const group = groupOfFile(assembly.types[block.fqn]?.locationInModule?.filename);
    const target = filled.find((f) => f.group === group)!;
    target.byKind.set(block.kind, [...(target.byKind.get(block.kind) ?? []), block]);
  }
  return filled.filter((f) => f.byKind.size > 0);
}

function kindAnchor(group: ApiGroup, label: string): string {
  return `api-group-${group.id}-${label.toLowerCase()}`;
}

function renderContents(filled: FilledGroup[]): string[] {
  const lines = [CONTENTS_LINE, ''];
  for (const { group, byKind } of filled) {
    lines.push(`- [${group.title}](#api-group-${group.id})`);
    for (const [kind, label] of KINDS) {
      const blocks = byKind.get(kind);
      if (!blocks) continue;
      const links = blocks.map((b) => `[${b.name}](#${b.fqn})`).join(', ');
      lines.push(`  - [${label}](#${kindAnchor(group, label)}): ${links}`);
    }
  }
  return lines;
}

function renderGroup({ group, byKind }: FilledGroup): string[] {
  const lines = [`## ${group.title} <a name="${group.title}" id="api-group-${group.id}"></a>`, '', group.summary, ''];
  for (const [kind, label] of KINDS) {
    const blocks = byKind.get(kind);
    if (!blocks) continue;
    lines.push(`**${label}** <a name="${group.title}: ${label}" id="${kindAnchor(group, label)}"></a>`, '');
    for (const block of blocks) lines.push(block.text, '');
  }
  return lines;
}

/** The grouped API.md for docgen's blocks. */
export function renderApiMarkdown(blocks: TypeBlock[], assembly: AssemblyTypes): string {
  const filled = fillGroups(blocks, assembly);
  const intro = 'The types grouped the way the [README](README.md#api-overview) introduces them; within a group: '
    + 'constructs, structs, classes, interfaces and enums, each in alphabetical order. Generated by `npx projen docgen` '
    + '(jsii-docgen, then tools/docs/api-md.ts): do not edit by hand.';
  const lines = [TITLE_LINE, '', intro, '', ...renderContents(filled), '', ...filled.flatMap(renderGroup)];
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Throws unless every block of docgen's output appears in `markdown` exactly once, unchanged, and nothing else does. */
export function checkBlocksPreserved(blocks: TypeBlock[], markdown: string): void {
  const written = new Map<string, TypeBlock[]>();
  for (const b of parseApiMarkdown(markdown)) written.set(b.fqn, [...(written.get(b.fqn) ?? []), b]);
  const problems: string[] = [];
  for (const block of blocks) {
    const copies = written.get(block.fqn) ?? [];
    if (copies.length === 0) problems.push(`${block.fqn} is missing`);
    else if (copies.length > 1) problems.push(`${block.fqn} appears ${copies.length} times`);
    else if (copies[0].text !== block.text || copies[0].kind !== block.kind) problems.push(`${block.fqn} was changed`);
    written.delete(block.fqn);
  }
  for (const fqn of written.keys()) problems.push(`${fqn} is not in docgen's output`);
  if (problems.length > 0) throw new Error(`API.md grouping lost or changed content:\n  ${problems.join('\n  ')}`);
}

/** What the groups of a grouped API.md hold: group id, title and the fqns of its types in order. */
export interface WrittenGroup {
  readonly id: string;
  readonly title: string;
  readonly fqns: string[];
}

/** The groups of a grouped API.md, in file order (for tests and the Other-group warning). */
export function readGroups(markdown: string): WrittenGroup[] {
  const groups: { id: string; title: string; fqns: string[] }[] = [];
  for (const line of markdown.split('\n')) {
    const group = GROUP_HEADING.exec(line);
    if (group) groups.push({ id: group[2], title: group[1], fqns: [] });
    const heading = TYPE_HEADING.exec(line);
    if (heading && groups.length > 0) groups[groups.length - 1].fqns.push(heading[2]);
  }
  return groups;
}

/** Groups docgen's markdown: the grouped markdown and the fqns that fell into the Other group. */
export function groupApiMarkdown(markdown: string, assembly: AssemblyTypes): { markdown: string; other: string[] } {
  const blocks = parseApiMarkdown(markdown);
  if (blocks.length === 0) throw new Error('API.md has no type blocks: is it jsii-docgen output?');
  const grouped = renderApiMarkdown(blocks, assembly);
  checkBlocksPreserved(blocks, grouped);
  const other = readGroups(grouped).find((g) => g.id === OTHER_GROUP.id)?.fqns ?? [];
  return { markdown: grouped, other };
}

function main(argv: string[]): void {
  const root = path.resolve(__dirname, '..', '..');
  const [input = '.cache/docgen/API.md', output = 'API.md', assemblyFile = '.jsii'] = argv;
  const resolve = (p: string) => path.resolve(root, p);
  const assembly: AssemblyTypes = JSON.parse(fs.readFileSync(resolve(assemblyFile), 'utf8'));
  const { markdown, other } = groupApiMarkdown(fs.readFileSync(resolve(input), 'utf8'), assembly);
  const temp = `${resolve(output)}.${process.pid}.tmp`;
  fs.writeFileSync(temp, markdown);
  fs.renameSync(temp, resolve(output));
  if (other.length > 0) {
    process.stderr.write(`api-md: ${other.length} type(s) in no group, listed under "Other": ${other.join(', ')}\n`
      + '  map their folder in GROUPS (tools/docs/api-md.ts); test/architecture/api-md.test.ts fails until then\n');
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`api-md: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

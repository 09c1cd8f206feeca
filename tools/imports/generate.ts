/**
 * Regenerates the typed L1 imports in imports/ offline, from ../shared/k8s-schemas and ../shared/crds.
 *
 * `cdk8s import k8s@X` always downloads its schema, so this script drives cdk8s-cli's importers directly with the
 * download step swapped for a read of the local file. Usage: `ts-node tools/imports/generate.ts [outdir]`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { IMPORTS, SHARED_DIR, ImportModule } from './modules';

const cliDir = path.dirname(require.resolve('cdk8s-cli/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cliUtil = require(path.join(cliDir, 'lib/util.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ImportKubernetesApi } = require(path.join(cliDir, 'lib/import/k8s.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ImportCustomResourceDefinition } = require(path.join(cliDir, 'lib/import/crd.js'));

/** Keep only the named definitions and everything they reference, so an alpha module stays small. */
function pruneDefinitions(definitions: Record<string, any>, keepPrefixes: string[]): Record<string, any> {
  const keep = new Set<string>();
  const visit = (name: string) => {
    if (keep.has(name) || !definitions[name]) return;
    keep.add(name);
    JSON.stringify(definitions[name], (key, value) => {
      if (key === '$ref' && typeof value === 'string') visit(value.replace('#/definitions/', ''));
      return value;
    });
  };
  Object.keys(definitions).filter((n) => keepPrefixes.some((p) => n.startsWith(p))).forEach(visit);
  return Object.fromEntries([...keep].sort().map((n) => [n, definitions[n]]));
}

async function importKubernetes(module: ImportModule, outdir: string) {
  const schemaFile = path.join(SHARED_DIR, 'k8s-schemas', module.source, '_definitions.json');
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  if (module.include) schema.definitions = pruneDefinitions(schema.definitions, module.include);
  const original = cliUtil.download;
  cliUtil.download = async () => JSON.stringify(schema);
  try {
    const importer = new ImportKubernetesApi({ apiVersion: module.source.replace(/^v/, '') });
    await importInto(outdir, module.name, 'k8s', (scratch) => importer.import({ outdir: scratch, targetLanguage: 'typescript' }));
  } finally {
    cliUtil.download = original;
  }
}

/**
 * Replaces every embedded PodTemplateSpec with an opaque object. Our constructs build pod specs from the typed k8s
 * structs; a CRD L1 that re-declared the pod schema would re-filter them (and cost megabytes of generated code).
 * The apiserver still validates the full CRD schema.
 */
function opaquePodTemplates(node: any): any {
  if (Array.isArray(node)) return node.map(opaquePodTemplates);
  if (node === null || typeof node !== 'object') return node;
  if (isPodTemplateSchema(node)) {
    return { type: 'object', description: node.description, 'x-kubernetes-preserve-unknown-fields': true };
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, opaquePodTemplates(v)]));
}

function isPodTemplateSchema(node: any): boolean {
  const spec = node.properties?.spec;
  return node.type === 'object' && node.properties?.metadata !== undefined && spec?.properties?.containers !== undefined;
}

/**
 * cdk8s-cli drops undefined keys of every rendered struct and map with a reduce that copies the object per key
 * (quadratic in its keys, and run for every struct of every object at synth). The modules get linear helpers
 * instead, which write the same objects (same keys, same order): a struct renderer sets only its defined fields, a
 * map is copied without its undefined values.
 */
const QUADRATIC_FILTER = 'Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})';
const STRUCT_RENDER = /^  const result = \{\n((?:    '[^']+': .*,\n)*)  \};\n  \/\/ filter undefined values\n  return (.*);$/gm;
const STRUCT_FIELD = /^    '([^']+)': (.*),$/;
const MAP_FILTER = /Object\.entries\(([^()]*)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: (.*?) \}\), \{\}\)/g;
const HELPERS = {
  putDefined: `
/** Sets \`out[key]\` unless \`value\` is undefined (struct renderers; see tools/imports/generate.ts). */
function putDefined(out: Record<string, any>, key: string, value: any): void {
  if (value !== undefined) out[key] = value;
}`,
  withoutUndefined: `
/** A copy of \`obj\` without its undefined values (map renderers; see tools/imports/generate.ts). */
function withoutUndefined(obj: { [key: string]: any }): Record<string, any> {
  const out: Record<string, any> = {};
  for (const key of Object.keys(obj)) putDefined(out, key, obj[key]);
  return out;
}`,
};

function linearUndefinedFilter(code: string): string {
  const structs = code.replace(STRUCT_RENDER, (block: string, fields: string, ret: string) => {
    if (ret !== QUADRATIC_FILTER) return block;
    const puts = fields.split('\n').filter((l) => l.length > 0).map((l) => {
      const [, key, value] = STRUCT_FIELD.exec(l)!;
      return `  putDefined(result, '${key}', ${value});\n`;
    });
    return `  const result: Record<string, any> = {};\n${puts.join('')}  return result;`;
  });
  const replaced = structs.replace(MAP_FILTER, (_, entries: string, value: string) => value === 'i[1]'
    ? `withoutUndefined(${entries})`
    : `Object.fromEntries(Object.entries(${entries}).filter((i) => i[1] !== undefined).map((i) => [i[0], ${value}]))`);
  if (replaced === code) return code;
  const helpers = replaced.includes('withoutUndefined(') ? [HELPERS.putDefined, HELPERS.withoutUndefined] : [HELPERS.putDefined];
  // after the import lines at the top
  const lines = replaced.split('\n');
  let last = 0;
  while (last < lines.length && (lines[last].startsWith('//') || lines[last].startsWith('import '))) last++;
  return [...lines.slice(0, last), ...helpers, '', lines.slice(last).join('\n').trimStart()].join('\n');
}

/**
 * The L1 classes extend our `FastApiObject`, which writes the same JSON as cdk8s's `ApiObject` in one pass instead
 * of two. Its source is tools/imports/fast-api-object.ts, written into imports/ beside the modules: src/imports is a
 * symlink to imports/, and only a sibling path resolves the same from both.
 */
const FAST_API_OBJECT = 'fast-api-object.ts';
const CDK8S_IMPORT = /^import \{ ApiObject, (.*) \} from 'cdk8s';$/m;

function onePassBase(code: string): string {
  if (!CDK8S_IMPORT.test(code)) throw new Error(`generated module does not import ApiObject from cdk8s: ${code.slice(0, 200)}`);
  return code.replace(CDK8S_IMPORT, (_, rest: string) =>
    `import { ${rest} } from 'cdk8s';\nimport { FastApiObject as ApiObject } from './fast-api-object';`);
}

async function importInto(outdir: string, name: string, generated: string, run: (scratch: string) => Promise<void>) {
  const scratch = fs.mkdtempSync(path.join(outdir, '.tmp-'));
  try {
    await run(scratch);
    const code = fs.readFileSync(path.join(scratch, `${generated}.ts`), 'utf8');
    fs.writeFileSync(path.join(outdir, `${name}.ts`), onePassBase(linearUndefinedFilter(code)));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function importCrds(module: ImportModule, outdir: string) {
  const files = module.files!.map((f) => path.join(SHARED_DIR, 'crds', module.source, f));
  const crds = files.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJSON()))
    .filter((doc) => doc?.kind === 'CustomResourceDefinition')
    .map(opaquePodTemplates);
  const importer = new ImportCustomResourceDefinition(crds.map((c) => JSON.stringify(c)).join('\n---\n'));
  if (importer.moduleNames.length !== 1) {
    throw new Error(`${module.name}: expected one API group, got ${importer.moduleNames.join(', ')}`);
  }
  await importInto(outdir, module.name, importer.moduleNames[0], (scratch) => importer.import({ outdir: scratch, targetLanguage: 'typescript' }));
}

export async function generateImports(outdir: string): Promise<string[]> {
  fs.mkdirSync(outdir, { recursive: true });
  const written: string[] = [];
  for (const module of IMPORTS) {
    if (module.kind === 'k8s') await importKubernetes(module, outdir);
    else await importCrds(module, outdir);
    written.push(`${module.name}.ts`);
  }
  fs.copyFileSync(path.join(__dirname, FAST_API_OBJECT), path.join(outdir, FAST_API_OBJECT));
  return [...written, FAST_API_OBJECT];
}

if (require.main === module) {
  const outdir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'imports'));
  const log = console.log;
  console.log = () => {}; // the importers print every type they emit
  generateImports(outdir).then(
    (files) => { console.log = log; console.log(`wrote ${files.length} modules to ${outdir}: ${files.join(', ')}`); },
    (err) => { console.log = log; console.error(err); process.exit(1); },
  );
}

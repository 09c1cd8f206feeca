// Checks that the public API, as jsii compiled it (.jsii and lib/*.d.ts), reads well in Python and Go.
// Each check returns one line per problem (empty: fine), naming the type and member so the fix is obvious.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as ts from 'typescript';
import { ROOT } from './pipeline';

type TypeRef = any;
type JsiiType = any;
type Assembly = { name: string; types: Record<string, JsiiType> };

/** A jsii assembly, following the redirect to a compressed assembly that newer jsii versions may write. */
export function loadAssembly(dir: string): Assembly {
  const json = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8'));
  if (json.schema === 'jsii/file-redirect') {
    return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, json.filename))).toString('utf8'));
  }
  return json;
}

export function ownAssembly(): Assembly {
  return loadAssembly(ROOT);
}

/** Our types plus those of the jsii libraries we depend on (for base classes and inherited struct fields). */
function typeIndex(own: Assembly): Record<string, JsiiType> {
  const peers = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).peerDependencies ?? {});
  const all: Record<string, JsiiType> = {};
  for (const peer of peers) Object.assign(all, loadAssembly(path.join(ROOT, 'node_modules', peer)).types);
  return Object.assign(all, own.types);
}

/** Every type reference a public type uses, with where it is used. */
function typeRefs(type: JsiiType): Array<{ where: string; ref: TypeRef }> {
  const refs: Array<{ where: string; ref: TypeRef }> = [];
  for (const p of type.properties ?? []) refs.push({ where: `${type.name}.${p.name}`, ref: p.type });
  const callables = [...(type.initializer ? [{ ...type.initializer, name: 'constructor' }] : []), ...(type.methods ?? [])];
  for (const m of callables) {
    if (m.returns) refs.push({ where: `${type.name}.${m.name}() return`, ref: m.returns.type });
    for (const p of m.parameters ?? []) refs.push({ where: `${type.name}.${m.name}(${p.name})`, ref: p.type });
  }
  return refs;
}

function containsUnion(ref: TypeRef): boolean {
  if (!ref) return false;
  if (ref.union || ref.intersection) return true;
  return ref.collection ? containsUnion(ref.collection.elementtype) : false;
}

/** No union or intersection types anywhere in the public API (Python gets typing.Union, Go gets interface{}). */
export function unionProblems(own: Assembly): string[] {
  return Object.values(own.types).flatMap((t) => typeRefs(t))
    .filter(({ ref }) => containsUnion(ref))
    .map(({ where }) => `${where}: a union type; use an enum-like class with static factories`);
}

/** Every struct property has a summary, and every optional one its `@default`. */
export function structDocProblems(own: Assembly): string[] {
  const problems: string[] = [];
  for (const t of Object.values(own.types).filter((x) => x.datatype)) {
    for (const p of t.properties ?? []) {
      if (!p.docs?.summary) problems.push(`${t.name}.${p.name}: no documentation`);
      if (p.optional && !p.docs?.default) problems.push(`${t.name}.${p.name}: optional without @default`);
    }
  }
  return problems;
}

/** No overloaded methods or constructors (jsii keeps only the first signature, silently). */
export function overloadProblems(libDir = path.join(ROOT, 'lib')): string[] {
  const problems: string[] = [];
  for (const file of declarationFiles(libDir)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    source.forEachChild((node) => {
      if (!(ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) || !node.name) return;
      const counts = new Map<string, number>();
      for (const member of node.members) {
        const isCallable = ts.isMethodDeclaration(member) || ts.isMethodSignature(member) || ts.isConstructorDeclaration(member);
        if (!isCallable) continue;
        const name = member.name ? member.name.getText(source) : 'constructor';
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      for (const [name, count] of counts) {
        if (count > 1) problems.push(`${node.name.text}.${name}: ${count} overloads in ${path.relative(libDir, file)}`);
      }
    });
  }
  return problems;
}

/** The public declaration files: lib/ without the generated imports and the internals. */
function declarationFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) return ['imports', 'internal'].includes(entry.name) ? [] : declarationFiles(p);
    return entry.name.endsWith('.d.ts') ? [p] : [];
  });
}

const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'self', 'cls',
]);
const GO_KEYWORDS = new Set([
  'break', 'case', 'chan', 'const', 'continue', 'default', 'defer', 'else', 'fallthrough', 'for', 'func', 'go', 'goto',
  'if', 'import', 'interface', 'map', 'package', 'range', 'return', 'select', 'struct', 'switch', 'type', 'var',
]);

/** A type name with an acronym in capitals (`GPUModel`): write acronyms as words (`GpuModel`), as cdk8s does. */
function hasCapitalRun(name: string): boolean {
  return /[A-Z]{2}/.test(name);
}

/** jsii-pacmak's own snake_case (the one that names Python members), resolved through jsii-pacmak. */
const toSnakeCase: (name: string) => string = require(require.resolve('codemaker', { paths: [require.resolve('jsii-pacmak')] })).toSnakeCase;

/** The Python name of a member: snake_case, and UPPER_SNAKE for constants (jsii-pacmak python.js toPythonPropertyName). */
export function pythonName(name: string, constant = false): string {
  const snake = toSnakeCase(name);
  return constant ? snake.toUpperCase() : snake;
}

const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * A camelCase name reads well in Python when its snake_case maps back to it (`gpusPerNode` -> `gpus_per_node`);
 * `maxGPUs` becomes `max_gp_us`. A constant must keep its name exactly, so that the README, API.md and every language
 * spell it the same: jsii-pacmak splits a digit from the letter after it (`NVIDIA_H100_80GB` would be
 * `NVIDIA_H100_80_GB` in Python), so the library writes that split itself. Words that snake_case splits into
 * fragments read badly even when they map back (`refRegExp` is `ref_reg_exp`; a one-letter word such as `x_offset`).
 */
function pythonNameProblem(name: string, constant = false): string | undefined {
  const python = pythonName(name, constant);
  if (/(^|_)reg_exp(_|$)/i.test(python)) return `is ${python} in Python; write Regex, not RegExp`;
  if (!constant && python.includes('_') && /(^|_)[a-z](_|$)/.test(python)) return `is ${python} in Python; a one-letter word reads badly`;
  const back = constant ? python : python.split('_').map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return back === name ? undefined : `is ${python} in Python; choose a name that survives snake_case`;
}

/**
 * Names that Python or Go must rename, or that read badly there:
 * - type names without runs of capitals; members whose Python name maps back to the TypeScript name (see
 *   pythonNameProblem); constants and enum members in UPPER_SNAKE;
 * - no property, method or parameter named after a Python keyword (jsii appends `_`: `from_`);
 * - no parameter named after a Go keyword (Go parameters stay lowercase: `type_`);
 * - no struct property named like a positional constructor parameter of a class that takes the struct (Python
 *   flattens props into keyword arguments, so `id` would become `id_`).
 */
export function namingProblems(own: Assembly): string[] {
  const problems: string[] = [];
  const types = typeIndex(own);
  for (const t of Object.values(own.types)) {
    const typeName = t.kind === 'interface' && !t.datatype ? t.name.replace(/^I(?=[A-Z])/, '') : t.name;
    if (hasCapitalRun(typeName)) problems.push(`${t.name}: write acronyms as words (${t.name} reads badly in Python and Go)`);
    for (const m of t.members ?? []) {
      if (!CONSTANT_NAME.test(m.name)) problems.push(`${t.name}.${m.name}: enum members are UPPER_SNAKE`);
    }
    for (const p of t.properties ?? []) {
      const isConstant = Boolean(p.static && p.const);
      if (isConstant && !CONSTANT_NAME.test(p.name)) problems.push(`${t.name}.${p.name}: constants are UPPER_SNAKE`);
      const python = pythonNameProblem(p.name, isConstant);
      if (python) problems.push(`${t.name}.${p.name}: ${python}`);
      if (PYTHON_KEYWORDS.has(p.name)) problems.push(`${t.name}.${p.name}: a Python keyword (becomes ${p.name}_)`);
    }
    const callables = [...(t.initializer ? [{ ...t.initializer, name: 'constructor' }] : []), ...(t.methods ?? [])];
    for (const m of callables) {
      const python = pythonNameProblem(m.name);
      if (python) problems.push(`${t.name}.${m.name}(): ${python}`);
      if (PYTHON_KEYWORDS.has(m.name)) problems.push(`${t.name}.${m.name}(): a Python keyword (becomes ${m.name}_)`);
      for (const p of m.parameters ?? []) {
        const where = `${t.name}.${m.name}(${p.name})`;
        const pythonParam = pythonNameProblem(p.name);
        if (pythonParam) problems.push(`${where}: ${pythonParam}`);
        if (PYTHON_KEYWORDS.has(p.name)) problems.push(`${where}: a Python keyword (becomes ${p.name}_)`);
        if (GO_KEYWORDS.has(p.name)) problems.push(`${where}: a Go keyword (becomes ${p.name}_)`);
      }
      problems.push(...kwargClashes(t, m, types));
    }
    problems.push(...pythonCollisions(t));
  }
  return problems;
}

/**
 * Members of one type that end up with the same Python name (`NVIDIA_H100_80_GB` next to `NVIDIA_H100_80_GB`, or
 * `gpuCount` next to a method `gpu_count`): one of them would shadow the other.
 */
function pythonCollisions(type: JsiiType): string[] {
  const byPython = new Map<string, string[]>();
  const add = (name: string, python: string) => byPython.set(python, [...(byPython.get(python) ?? []), name]);
  for (const p of type.properties ?? []) add(p.name, pythonName(p.name, Boolean(p.static && p.const)));
  for (const m of type.methods ?? []) add(`${m.name}()`, pythonName(m.name));
  return [...byPython].filter(([, names]) => names.length > 1)
    .map(([python, names]) => `${type.name}.${names.join(', ')}: all are ${python} in Python (one hides the other)`);
}

/** Struct fields that clash with the other parameters when Python flattens the trailing struct into kwargs. */
function kwargClashes(type: JsiiType, callable: any, types: Record<string, JsiiType>): string[] {
  const params = callable.parameters ?? [];
  const last = params[params.length - 1];
  const struct = last?.type?.fqn ? types[last.type.fqn] : undefined;
  if (!struct?.datatype) return [];
  const positional = new Set(params.slice(0, -1).map((p: any) => p.name));
  return structFields(struct, types)
    .filter((field) => positional.has(field))
    .map((field) => `${struct.name}.${field}: clashes with the parameter ${field} of ${type.name}.${callable.name}() in Python (becomes ${field}_)`);
}

function structFields(struct: JsiiType, types: Record<string, JsiiType>): string[] {
  const inherited = (struct.interfaces ?? []).flatMap((fqn: string) => (types[fqn] ? structFields(types[fqn], types) : []));
  return [...inherited, ...(struct.properties ?? []).map((p: any) => p.name)];
}

/** The public, concrete classes that are constructs (their base chain reaches constructs.Construct). */
export function publicConstructs(own: Assembly): string[] {
  const types = typeIndex(own);
  const isConstruct = (fqn: string | undefined): boolean => {
    if (!fqn) return false;
    if (fqn === 'constructs.Construct') return true;
    return isConstruct(types[fqn]?.base);
  };
  return Object.values(own.types)
    .filter((t) => t.kind === 'class' && !t.abstract && isConstruct(t.base))
    .map((t) => t.name)
    .sort();
}

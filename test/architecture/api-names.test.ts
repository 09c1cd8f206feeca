/**
 * Public names read the same after jsii's case conversion: a Python or Go user types what the README and API.md
 * show. Python names come from codemaker's toSnakeCase, the function jsii-pacmak uses for Python (constants are
 * its result upper-cased; Go keeps the TypeScript name of a constant).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
// eslint-disable-next-line import/no-extraneous-dependencies
import { toSnakeCase } from 'codemaker';

const ASSEMBLY = path.join(__dirname, '..', '..', '.jsii');

interface Named { readonly name: string; readonly static?: boolean; readonly const?: boolean; readonly parameters?: Named[] }
interface TypeInfo { readonly fqn: string; readonly properties?: Named[]; readonly methods?: Named[]; readonly members?: Named[]; readonly initializer?: Named }

/** The Python name of a constant (a static, all-capitals property): jsii-pacmak's snake case, upper-cased. */
export function pythonConstant(name: string): string {
  return toSnakeCase(name).toUpperCase();
}

/** Why a member's Python name reads badly, if it does: a one-letter word, or a split abbreviation such as `reg_exp`. */
export function badPythonName(name: string): string | undefined {
  const py = toSnakeCase(name);
  if (py.includes('_') && /(^|_)[a-z](_|$)/.test(py)) return `${py} has a one-letter word`;
  if (/(^|_)reg_exp(_|$)/.test(py)) return `${py} splits RegExp`;
  return undefined;
}

function isConstant(p: Named): boolean {
  return (p.static === true || p.const === true) && /^[A-Z][A-Z0-9_]*$/.test(p.name);
}

describe('public names after case conversion', () => {
  // The api-docs test rebuilds a stale assembly; this one runs after compile in `npm test` or reads that rebuild.
  const types: TypeInfo[] = Object.values(JSON.parse(fs.readFileSync(ASSEMBLY, 'utf8')).types);

  test('every constant has the same name in Python as in TypeScript and Go', () => {
    const constants = types.flatMap((t) => (t.properties ?? []).filter(isConstant).map((p) => `${t.fqn}.${p.name}`));
    expect(constants.length).toBeGreaterThan(20);
    const renamed = constants.filter((c) => pythonConstant(c.split('.').pop()!) !== c.split('.').pop());
    expect(renamed.map((c) => `${c} is ${pythonConstant(c.split('.').pop()!)} in Python`)).toEqual([]);
  });

  test('no property, method or parameter reads badly in snake case', () => {
    const names = types.flatMap((t) => [
      ...(t.properties ?? []).filter((p) => !isConstant(p)),
      ...(t.methods ?? []),
      ...(t.methods ?? []).flatMap((m) => m.parameters ?? []),
      ...(t.initializer?.parameters ?? []),
    ].map((n) => ({ where: `${t.fqn}#${n.name}`, why: badPythonName(n.name) })));
    expect(names.length).toBeGreaterThan(500);
    expect(names.filter((n) => n.why).map((n) => `${n.where}: ${n.why}`)).toEqual([]);
  });

  test('the checks catch the names that read badly', () => {
    expect(pythonConstant('NVIDIA_H100_80GB')).toBe('NVIDIA_H100_80_GB');
    expect(pythonConstant('NVIDIA_H100_80_GB')).toBe('NVIDIA_H100_80_GB');
    expect(badPythonName('refRegExp')).toBe('ref_reg_exp splits RegExp');
    expect(badPythonName('xOffset')).toBe('x_offset has a one-letter word');
    expect(badPythonName('subjectRegex')).toBeUndefined();
  });
});

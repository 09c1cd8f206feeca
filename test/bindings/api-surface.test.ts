// The API checks of tools/bindings/api-surface.ts (run on the real assembly by bindings.test.ts) report what they
// look for: each is fed a small hand-written assembly or declaration file with one problem.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { namingProblems, overloadProblems, structDocProblems, unionProblems } from '../../tools/bindings/api-surface';

describe('the API checks catch what they look for', () => {
  const struct = (properties: any[]) => ({ name: 'test', types: { 'test.FooProps': { kind: 'interface', datatype: true, name: 'FooProps', properties } } });

  test('a union in a property', () => {
    const union = { union: { types: [{ primitive: 'string' }, { primitive: 'number' }] } };
    expect(unionProblems(struct([{ name: 'size', type: union, docs: { summary: 's' } }]))).toEqual([
      'FooProps.size: a union type; use an enum-like class with static factories',
    ]);
  });

  test('an optional struct property without @default', () => {
    expect(structDocProblems(struct([{ name: 'size', optional: true, type: { primitive: 'number' }, docs: { summary: 's' } }]))).toEqual([
      'FooProps.size: optional without @default',
    ]);
  });

  test('an overloaded method', () => {
    const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'overloads-'));
    fs.writeFileSync(path.join(lib, 'foo.d.ts'), 'export declare class Foo {\n  scale(by: number): void;\n  scale(by: string): void;\n}\n');
    expect(overloadProblems(lib)).toEqual(['Foo.scale: 2 overloads in foo.d.ts']);
  });

  test('names re-cased by Python, keywords and kwarg clashes', () => {
    const assembly = {
      name: 'test',
      types: {
        'test.Foo': {
          kind: 'class',
          name: 'Foo',
          properties: [
            { name: 'maxGPUs', type: { primitive: 'number' } },
            { name: 'from', type: { primitive: 'string' } },
            { name: 'NVIDIA_H100_80GB', static: true, const: true, type: { primitive: 'string' } },
            { name: 'NVIDIA_B200', static: true, const: true, type: { primitive: 'string' } },
          ],
          initializer: { parameters: [{ name: 'scope' }, { name: 'id' }, { name: 'props', type: { fqn: 'test.FooProps' } }] },
          methods: [{ name: 'select', parameters: [{ name: 'type', type: { primitive: 'string' } }] }],
        },
        'test.FooProps': { kind: 'interface', datatype: true, name: 'FooProps', properties: [{ name: 'id', type: { primitive: 'string' } }] },
      },
    };
    expect(namingProblems(assembly)).toEqual([
      'Foo.maxGPUs: is max_gp_us in Python; choose a name that survives snake_case',
      'Foo.from: a Python keyword (becomes from_)',
      'Foo.NVIDIA_H100_80GB: is NVIDIA_H100_80_GB in Python; choose a name that survives snake_case',
      'FooProps.id: clashes with the parameter id of Foo.constructor() in Python (becomes id_)',
      'Foo.select(type): a Go keyword (becomes type_)',
    ]);
  });
});

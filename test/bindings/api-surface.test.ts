// The API checks of tools/bindings/api-surface.ts (run on the real assembly by bindings.test.ts) report what they
// look for: each is fed a small hand-written assembly or declaration file with one problem.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  namingProblems, overloadProblems, structDocProblems, unionProblems,
} from '../../tools/bindings/api-surface';

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
      'FooProps.id: clashes with the parameter id of Foo.constructor() in Python (becomes id_)',
      'Foo.select(type): a Go keyword (becomes type_)',
    ]);
  });

  describe('constants keep their exact name in Python', () => {
    const constants = (...names: string[]) => ({
      name: 'test',
      types: {
        'test.GpuModel': {
          kind: 'class',
          name: 'GpuModel',
          properties: names.map((name) => ({ name, static: true, const: true, type: { fqn: 'test.GpuModel' } })),
        },
      },
    });

    test('a digit followed by a letter fails: Python would split it', () => {
      expect(namingProblems(constants('NVIDIA_H100_80GB', 'NVIDIA_L40S'))).toEqual([
        'GpuModel.NVIDIA_H100_80GB: is NVIDIA_H100_80_GB in Python; choose a name that survives snake_case',
        'GpuModel.NVIDIA_L40S: is NVIDIA_L40_S in Python; choose a name that survives snake_case',
      ]);
    });

    test('names that snake_case leaves alone pass', () => {
      expect(namingProblems(constants('NVIDIA_H100_80_GB', 'NVIDIA_L40_S', 'AMD_MI300_X', 'NVIDIA_B200', 'NVIDIA_H100_NVL'))).toEqual([]);
    });

    test('RegExp and one-letter words fail even though they map back', () => {
      const assembly = {
        name: 'test',
        types: {
          'test.IdentityProps': {
            kind: 'interface',
            datatype: true,
            name: 'IdentityProps',
            properties: [{ name: 'refRegExp', type: { primitive: 'string' } }, { name: 'xOffset', type: { primitive: 'number' } }],
          },
        },
      };
      expect(namingProblems(assembly)).toEqual([
        'IdentityProps.refRegExp: is ref_reg_exp in Python; write Regex, not RegExp',
        'IdentityProps.xOffset: is x_offset in Python; a one-letter word reads badly',
      ]);
    });

    test('a constant in camelCase still fails', () => {
      expect(namingProblems(constants('nvidiaH100'))).toEqual([
        'GpuModel.nvidiaH100: constants are UPPER_SNAKE',
        'GpuModel.nvidiaH100: is NVIDIA_H100 in Python; choose a name that survives snake_case',
      ]);
    });

    test('two constants with the same Python name fail', () => {
      expect(namingProblems(constants('NVIDIA_H100_80GB', 'NVIDIA_H100_80_GB'))).toEqual([
        'GpuModel.NVIDIA_H100_80GB: is NVIDIA_H100_80_GB in Python; choose a name that survives snake_case',
        'GpuModel.NVIDIA_H100_80GB, NVIDIA_H100_80_GB: all are NVIDIA_H100_80_GB in Python (one hides the other)',
      ]);
    });

    test('the split in a camelCase member is not a constant, and still fails', () => {
      const assembly = {
        name: 'test',
        types: {
          'test.GpuPoolProps': {
            kind: 'interface', datatype: true, name: 'GpuPoolProps', properties: [{ name: 'memory80GB', type: { primitive: 'number' } }],
          },
        },
      };
      expect(namingProblems(assembly)).toEqual(['GpuPoolProps.memory80GB: is memory80_gb in Python; choose a name that survives snake_case']);
    });
  });
});

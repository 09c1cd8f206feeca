// The API checks of tools/bindings/api-surface.ts (run on the real assembly by bindings.test.ts) report what they
// look for: each is fed a small hand-written assembly or declaration file with one problem.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  formatRenamedConstants, isDigitLetterSplit, namingProblems, overloadProblems, pythonRenamedConstants, structDocProblems,
  unionProblems,
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

  describe('constants: the digit-letter split of Python is allowed, nothing else', () => {
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

    test('NVIDIA_H100_80_GB, NVIDIA_A10_G, NVIDIA_L40_S and AMD_MI300_X pass, and are listed with their Python names', () => {
      const assembly = constants('NVIDIA_H100_80_GB', 'NVIDIA_A10_G', 'NVIDIA_L40_S', 'AMD_MI300_X', 'NVIDIA_B200', 'NVIDIA_H100_NVL');
      expect(namingProblems(assembly)).toEqual([]);
      expect(pythonRenamedConstants(assembly)).toEqual([
        { type: 'GpuModel', name: 'AMD_MI300_X', python: 'AMD_MI300_X' },
        { type: 'GpuModel', name: 'NVIDIA_A10_G', python: 'NVIDIA_A10_G' },
        { type: 'GpuModel', name: 'NVIDIA_H100_80_GB', python: 'NVIDIA_H100_80_GB' },
        { type: 'GpuModel', name: 'NVIDIA_L40_S', python: 'NVIDIA_L40_S' },
      ]);
      expect(formatRenamedConstants(pythonRenamedConstants(assembly))).toEqual([
        'GpuModel constants in Python: AMD_MI300_X, NVIDIA_A10_G, NVIDIA_H100_80_GB, NVIDIA_L40_S',
        '',
        '| TypeScript | Python | Go |',
        '| --- | --- | --- |',
        '| `GpuModel.AMD_MI300_X` | `GpuModel.AMD_MI300_X` | `GpuModel_AMD_MI300X()` |',
        '| `GpuModel.NVIDIA_A10_G` | `GpuModel.NVIDIA_A10_G` | `GpuModel_NVIDIA_A10G()` |',
        '| `GpuModel.NVIDIA_H100_80_GB` | `GpuModel.NVIDIA_H100_80_GB` | `GpuModel_NVIDIA_H100_80GB()` |',
        '| `GpuModel.NVIDIA_L40_S` | `GpuModel.NVIDIA_L40_S` | `GpuModel_NVIDIA_L40S()` |',
        '',
      ].join('\n'));
    });

    test('the split is the only change allowed', () => {
      expect(isDigitLetterSplit('NVIDIA_H100_80_GB', 'NVIDIA_H100_80_GB')).toBe(true);
      expect(isDigitLetterSplit('NVIDIA_H100_80_GB', 'NVIDIA_H100_80_GB')).toBe(false); // no change: nothing to allow
      expect(isDigitLetterSplit('NVIDIA_H100_80_GB', 'NVIDIA_H_100_80_GB')).toBe(false); // a letter-digit split
      expect(isDigitLetterSplit('nvidiaH100', 'NVIDIA_H100')).toBe(false); // not UPPER_SNAKE to begin with
    });

    test('a constant in camelCase still fails', () => {
      expect(namingProblems(constants('nvidiaH100'))).toEqual([
        'GpuModel.nvidiaH100: constants are UPPER_SNAKE',
        'GpuModel.nvidiaH100: is NVIDIA_H100 in Python; choose a name that survives snake_case',
      ]);
    });

    test('two constants that the split makes the same Python name still fail', () => {
      expect(namingProblems(constants('NVIDIA_H100_80_GB', 'NVIDIA_H100_80_GB'))).toEqual([
        'GpuModel.NVIDIA_H100_80_GB, NVIDIA_H100_80_GB: all are NVIDIA_H100_80_GB in Python (one hides the other)',
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

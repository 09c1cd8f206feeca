// The synth-time check of DRA device selectors (CEL parsed and type-checked by @marcbachmann/cel-js against the
// `device` environment): the corpus the apiserver test shares, every selector we generate, and how errors read.
import { Size, Testing } from 'cdk8s';
import { ACCEPTED, ACCEPTED_SINCE_1_37, REFUSED } from './device-selector-corpus';
import { ENVS, SHAPES, appFor } from './fixtures';
import { GpuWorkload } from './gpu-workload';
import { migProfileSelector, minMemorySelector, modelSelector, wholeGpuSelector } from '../../src/accelerators/cel';
import { deviceSelectorProblem } from '../../src/accelerators/device-cel-environment';
import { GpuDeviceClass } from '../../src/accelerators/gpu-device-class';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuVendor } from '../../src/accelerators/gpu-vendor';

/** Every `cel.expression` in synthesized manifests. */
function celExpressions(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(celExpressions);
  if (value === null || typeof value !== 'object') return [];
  const own = (value as any).cel?.expression;
  return [...(typeof own === 'string' ? [own] : []), ...Object.values(value).flatMap(celExpressions)];
}

describe('the corpus', () => {
  test.each([...ACCEPTED, ...ACCEPTED_SINCE_1_37])('accepts %s', (expression) => {
    expect(deviceSelectorProblem(expression)).toBeUndefined();
  });

  test.each(REFUSED.map(([expression, problem]) => [expression, problem]))('refuses %s', (expression, problem) => {
    expect(deviceSelectorProblem(expression)).toBe(problem);
  });
});

describe('every selector we generate passes the check', () => {
  const MODELS = GpuModel.all();
  const VENDORS = [GpuVendor.NVIDIA, GpuVendor.AMD];

  test('catalogue models, MIG profiles, memory floors and whole-GPU classes', () => {
    const generated = [
      ...MODELS.map(modelSelector),
      ...MODELS.flatMap((m) => m.migProfiles.map((p) => migProfileSelector(m.vendor, p))),
      ...VENDORS.flatMap((v) => [wholeGpuSelector(v), minMemorySelector(v, Size.gibibytes(40)), minMemorySelector(v, Size.mebibytes(1536))]),
    ];
    expect(generated.length).toBeGreaterThan(MODELS.length);
    expect(generated.filter((e) => deviceSelectorProblem(e) !== undefined)).toEqual([]);
  });

  test('DeviceClasses of every model and node pools of every model', () => {
    const { chart } = appFor('latest');
    MODELS.forEach((model, i) => {
      new GpuDeviceClass(chart, `class-${i}`, { model, minMemory: Size.gibibytes(1) });
      new GpuNodePool(chart, `pool-${i}`, { gpu: model, gpusPerNode: 1, maxNodes: 1, deviceClass: true });
    });
    const expressions = celExpressions(Testing.synth(chart));
    expect(expressions.length).toBeGreaterThanOrEqual(MODELS.length * 2);
    expect(expressions.filter((e) => deviceSelectorProblem(e) !== undefined)).toEqual([]);
  });

  test.each(ENVS.flatMap((env) => SHAPES.filter((s) => s.envs.includes(env)).map((s) => [env, s.name, s] as const)))(
    'claims on %s: %s', (env, _name, shape) => {
      const { chart } = appFor(env);
      new GpuWorkload(chart, 'workload', { gpus: shape.request(), replicas: shape.replicas });
      const expressions = celExpressions(Testing.synth(chart));
      expect(expressions.filter((e) => deviceSelectorProblem(e) !== undefined)).toEqual([]);
    });
});

describe('how the check reads', () => {
  test('positions after a has() on a map entry point into the expression as written', () => {
    // has() of a field of an indexed map is checked as `'field' in map`; positions map back through that rewrite.
    const expression = "has(device.attributes['gpu.nvidia.com'].productName) && device.capacity['gpu.nvidia.com'].memory > 5";
    expect(deviceSelectorProblem(expression)).toBe('at 56: no such overload: kubernetes.Quantity > int');
    const inside = "has(device.attributes['gpu.nvidia.com'].ports[1 + 'a'].open)";
    expect(deviceSelectorProblem(inside)).toBe(`at ${inside.indexOf('1 +')}: no such overload: int + string`);
    expect(deviceSelectorProblem("has(device.attributes[has(device.attributes['a'].b) ? 'x' : 'y'].c)")).toBeUndefined();
  });

  test('calls the checker cannot type are still checked for syntax', () => {
    expect(deviceSelectorProblem("sets.contains(['a'], ['a'])")).toBeUndefined();
    expect(deviceSelectorProblem("sets.contains(['a'], ['a']")).toBe('at 26: Expected RPAREN, got EOF');
    expect(deviceSelectorProblem("device.attributes['dra.example.com'].all(k, v, v == 1)")).toBeUndefined();
  });
});

import { App, Chart } from 'cdk8s';
import * as lib from '../../src';
import { ValidationError } from '../../src/internal/errors';
import { checkProps, opt, req, requireKind } from '../../src/internal/runtime-checks';

// Issue 17, class 2: from JavaScript (or any caller that bypasses the types) a public entry point throws our
// ValidationError, never a TypeError from deep inside.

test('checkProps names the prop, the value, its type and what is valid', () => {
  expect(() => checkProps('X', 'XProps', { a: 'H100' }, { a: req(lib.GpuModel, 'a GpuModel') }))
    .toThrow('[X] a: got "H100" (a string); expected a GpuModel');
  expect(() => checkProps('X', 'XProps', undefined, { a: req('string') })).toThrow('[X] props: got undefined; expected a XProps object with a');
  expect(checkProps('X', 'XProps', undefined, { a: opt('string') })).toEqual({});
  expect(() => checkProps('X', 'XProps', 'oops', { a: opt('string') })).toThrow('[X] props: got "oops"; expected a XProps object');
  expect(() => requireKind('X', 'n', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', req('number')))
    .toThrow('[X] n: got "sk-p…" (redacted, 44 characters) (a string); expected a number');
});

/** Classes whose constructor is private in TypeScript (jsii exposes no constructor to Python or Go). */
const PRIVATE_CONSTRUCTORS = ['GpuModel', 'ModelServer', 'EppVersion', 'GangTopology', 'EndpointPickerConfig'];
const BAD: unknown[] = [undefined, null, {}, 'x', 42, []];

function crashes(): string[] {
  const found: string[] = [];
  const attempt = (label: string, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (!ValidationError.isValidationError(e)) found.push(`${label}: ${String((e as Error).message).split('\n')[0]}`);
    }
  };
  for (const [name, member] of Object.entries(lib)) {
    if (typeof member !== 'function') continue;
    const statics = Object.getOwnPropertyNames(member).filter((k) => !k.startsWith('_') && !['length', 'name', 'prototype'].includes(k) &&
      typeof (member as any)[k] === 'function' && !/^is[A-Z]/.test(k));
    for (const bad of BAD) {
      if (!PRIVATE_CONSTRUCTORS.includes(name) && member.prototype && !/^[A-Z_]+$/.test(name)) {
        attempt(`new ${name}(${JSON.stringify(bad)})`, () => {
          const app = new App({ outdir: '/nonexistent-cdk8s-ai-probe' });
          new (member as any)(new Chart(app, 'c'), 'x', bad);
          app.synthYaml();
        });
      }
      for (const s of statics) {
        attempt(`${name}.${s}(${JSON.stringify(bad)})`, () => (member as any)[s](bad));
        attempt(`${name}.${s}(${JSON.stringify(bad)}, ${JSON.stringify(bad)})`, () => (member as any)[s](bad, bad));
      }
    }
  }
  return found;
}

test('no public constructor or static factory throws anything but ValidationError on untyped input', () => {
  expect(crashes()).toEqual([]);
});

test('nested options of the wrong type name the option (ModelServer, GangTopology, ServingAutoscaling, ClusterProfile)', () => {
  const js = (x: unknown): any => x;
  expect(() => lib.ModelServer.vllm(js({ env: { A: 1 } }))).toThrow('[ModelServer.vllm] options.env.A: got 1; expected a string value');
  expect(() => lib.ModelServer.custom(js({ name: 'x' }))).toThrow('[ModelServer.custom] options.image: got undefined; expected a container image reference (it is required)');
  expect(() => lib.GangTopology.sameZone(js({ exclusive: 'yes' }))).toThrow('[GangTopology.sameZone (same_zone)] options.exclusive: got "yes" (a string); expected true or false');
  expect(() => lib.ServingAutoscaling.keda(js({
    minReplicas: 1,
    maxReplicas: 2,
    metric: lib.ServerMetric.QUEUE_DEPTH,
    target: 3,
    prometheusAddress: 9090,
  })))
    .toThrow('[ServingAutoscaling.keda] prometheusAddress (prometheus_address): got 9090 (a number); expected a URL such as "http://prometheus-operated.monitoring.svc:9090"');
  expect(() => lib.KubernetesVersion.of(js(36))).toThrow('[KubernetesVersion.of] version: got 36 (a number); expected a version such as "1.36"');
  expect(() => new lib.ClusterProfile(new Chart(new App(), 'c'), 'p', js({ addons: ['KUEUE'] })))
    .toThrow('[c/p] addons[0]: got "KUEUE" (a string); expected a ClusterAddon such as ClusterAddon.KUEUE');
});

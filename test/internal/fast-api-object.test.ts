import { ApiObject, App, Chart, Duration, IResolver, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import * as fc from 'fast-check';
import { FastApiObject } from '../../src/imports/fast-api-object';
import * as k8s from '../../src/imports/k8s';

/** What cdk8s's own ApiObject writes for the same object: the reference our one-pass renderer must match. */
function cdk8sJson(object: ApiObject): string {
  return JSON.stringify(ApiObject.prototype.toJson.call(object));
}

/** The JSON written, or the error thrown, so both renderers can be compared on any input. */
function outcome(render: () => unknown): string {
  try {
    return JSON.stringify(render());
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

function fresh(appProps = {}): Chart {
  return new Chart(new App(appProps), 'c', { disableResourceNameHashes: true, labels: { team: 'a' } });
}

const ODD_VALUES = {
  lazy: Lazy.any({ produce: () => ({ z: 1, a: [Lazy.any({ produce: () => 'deep' })] }) }),
  quantity: k8s.Quantity.fromString('10Gi'),
  port: k8s.IntOrString.fromNumber(8080),
  token: { resolve: () => ({ b: 2, a: 1 }) },
  nulls: [null, undefined, 1, { x: null, y: undefined, w: 0, v: '', u: false }],
  empty: { list: [], map: {} },
  unicode: { é: 1, Z: 2, a: 3, 10: 4, 9: 5, _: 6 },
};

describe('FastApiObject writes what cdk8s ApiObject writes, key for key', () => {
  test.each(Object.entries(ODD_VALUES))('%s', (_name, value) => {
    const object = new FastApiObject(fresh(), 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { b: '1', a: '2' } }, data: value } as any);
    expect(JSON.stringify(object.toJson())).toEqual(cdk8sJson(object));
  });

  test('a generated L1 with quantities and int-or-strings writes the same bytes as through cdk8s', () => {
    const chart = fresh();
    const props: k8s.KubeDeploymentProps = {
      metadata: { name: 'd', labels: { z: '1', a: '2' } },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: {
            containers: [{
              name: 'c',
              image: 'i',
              resources: { limits: { cpu: k8s.Quantity.fromNumber(2), memory: k8s.Quantity.fromString('1Gi') } },
              readinessProbe: { httpGet: { path: '/h', port: k8s.IntOrString.fromString('http') } },
              env: [],
            }],
          },
        },
      },
    };
    const fast = new k8s.KubeDeployment(chart, 'fast', props);
    const reference = new ApiObject(chart, 'reference', { ...k8s.KubeDeployment.GVK, ...props });
    const viaCdk8s = { ...k8s.KubeDeployment.GVK, ...k8s.toJson_KubeDeploymentProps(reference.toJson() as any) };
    expect(JSON.stringify(fast.toJson())).toEqual(JSON.stringify(viaCdk8s));
  });

  // fast-check's dictionaries include null-prototype objects, which cdk8s refuses: the same refusal is expected.
  test('generated plain JSON values render the same as through cdk8s', () => {
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.double());
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('node'), { maxKeys: 5 })),
    })).node;
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1 }), tree, { maxKeys: 6 }), (spec) => {
      const object = new FastApiObject(fresh(), 'o', { apiVersion: 'v1', kind: 'X', spec } as any);
      expect(outcome(() => object.toJson())).toEqual(outcome(() => JSON.parse(cdk8sJson(object))));
    }), { numRuns: 300, seed: 42 });
  });

  test('with CDK8S_DISABLE_SORT the keys keep their order, as in cdk8s', () => {
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const object = new FastApiObject(fresh(), 'o', { apiVersion: 'v1', kind: 'X', spec: { z: 1, a: { y: 1, b: 2 } } } as any);
      expect(JSON.stringify(object.toJson())).toEqual(cdk8sJson(object));
      expect(Object.keys(object.toJson().spec)).toEqual(['z', 'a']);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });
});

describe('FastApiObject leaves the rendering to cdk8s when it cannot match it in one pass', () => {
  test('an App resolver of the caller\'s own still sees every value', () => {
    class Upper implements IResolver {
      public resolve(context: ResolutionContext): void {
        if (typeof context.value === 'string' && context.value.startsWith('up:')) context.replaceValue(context.value.slice(3).toUpperCase());
      }
    }
    const object = new FastApiObject(fresh({ resolvers: [new Upper()] }), 'o', { apiVersion: 'v1', kind: 'X', spec: { a: 'up:yes' } } as any);
    expect(object.toJson().spec).toEqual({ a: 'YES' });
  });

  test('a JSON patch is applied', () => {
    const object = new FastApiObject(fresh(), 'o', { apiVersion: 'v1', kind: 'X', spec: { a: 1 } } as any);
    object.addJsonPatch(JsonPatch.add('/spec/b', 2));
    expect(object.toJson().spec).toEqual({ a: 1, b: 2 });
    expect(JSON.stringify(object.toJson())).toEqual(cdk8sJson(object));
  });

  test('a value cdk8s cannot render is refused with cdk8s\'s own message', () => {
    const object = new FastApiObject(fresh(), 'o', { apiVersion: 'v1', kind: 'X', spec: { d: Duration.seconds(5) } } as any);
    expect(() => object.toJson()).toThrow(/Failed serializing construct at path 'c\/o' with name 'c-o'.*can't render non-simple object of type 'Duration'/);
    expect(() => cdk8sJson(object)).toThrow(/can't render non-simple object of type 'Duration'/);
  });
});

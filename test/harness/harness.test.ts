/**
 * Proves the harness itself: known-bad objects are rejected or caught as
 * dropped, and positive controls pass, against the real kube-apiserver.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ApiValidationError, DEFAULT_ENVIRONMENTS, ENVIRONMENT_NAMES, KubeObject, PROJECT_ROOT, TestEnvState, badInputCatalogue, checkProperty,
  droppedFields, environmentForProfile, fetchOpenApiV2, fieldManagerFor, loadCrds, readState, requestedEnvironments, sessionFor,
  SHARED_CRDS_DIR, runBadInput, validateChart, validateObjects,
} from './index';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';

const verbose = !!process.env.CDK8S_AI_TESTENV_VERBOSE;
function note(message: string): void {
  if (verbose) {
    process.stderr.write(`[harness.test] ${message}\n`);
  }
}

/** Runs `fn`, expects an ApiValidationError, returns its message. */
async function rejection(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiValidationError);
    return (err as Error).message;
  }
  throw new Error('expected validation to fail, but it passed');
}

const RESTRICTED_POD_SPEC = {
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{
    name: 'app',
    image: 'registry.k8s.io/pause:3.10',
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  }],
};

function pod(name: string, namespace: string, spec: object = RESTRICTED_POD_SPEC): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec };
}

function deployment(name: string, namespace: string, podSpec: object = RESTRICTED_POD_SPEC, extraSpec: object = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec },
      ...extraSpec,
    },
  };
}

const PRIVILEGED_POD_SPEC = {
  ...RESTRICTED_POD_SPEC,
  containers: [{ ...RESTRICTED_POD_SPEC.containers[0], securityContext: { privileged: true } }],
};

/** A ResourceClaimTemplate using request fields behind DRADeviceTaints and DRAConsumableCapacity (off in 1.34). */
function gatedClaimTemplate(namespace: string): KubeObject {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaimTemplate',
    metadata: { name: 'gpu', namespace },
    spec: {
      spec: {
        devices: {
          requests: [{
            name: 'gpu',
            exactly: {
              deviceClassName: 'gpu.nvidia.com',
              count: 1,
              tolerations: [{ key: 'nvidia.com/unhealthy', operator: 'Exists', effect: 'NoSchedule' }],
              capacity: { requests: { memory: '10Gi' } },
            },
          }],
        },
      },
    },
  };
}

describe('test environment', () => {
  let state: TestEnvState;
  beforeAll(() => {
    state = readState();
  });

  test('runs the default (1.34) and latest (1.37) environments with the right gates', () => {
    const def = state.environments.default!;
    const latest = state.environments.latest!;
    note(`timings ${JSON.stringify(state.timings)}`);
    expect(def.binaryVersion).toBe('v1.37.2');
    expect(def.kubernetesVersion).toBe('1.34');
    expect(def.emulatedVersion).toBe('1.34');
    // 1.34 defaults (training-dra.md §1.4)
    expect(def.featureGates).toMatchObject({
      DRAPrioritizedList: true,
      DRAAdminAccess: true,
      DRAConsumableCapacity: false,
      DRADeviceTaints: false,
      DRAExtendedResource: false,
      DRAPartitionableDevices: false,
    });
    expect(def.featureGates.GenericWorkload ?? false).toBe(false);
    expect(latest.kubernetesVersion).toBe('1.37');
    expect(latest.featureGates).toMatchObject({
      GenericWorkload: true,
      DRAWorkloadResourceClaims: true,
      DRAConsumableCapacity: true,
      DRADeviceTaints: true,
      DRAExtendedResource: true,
      DRAPartitionableDevices: true,
      DRAPrioritizedList: true,
      DRAAdminAccess: true,
    });
  });

  test('installed every shared CRD in both environments', () => {
    const def = state.environments.default!;
    const shared = loadCrds(SHARED_CRDS_DIR).map((c) => c.metadata.name);
    expect(shared.length).toBeGreaterThan(30);
    const fromModules = ['provisioningrequestconfigs.kueue.x-k8s.io', 'provisioningrequests.autoscaling.x-k8s.io'];
    expect(def.crds).toEqual([...shared, ...fromModules].sort((a, b) => String(a).localeCompare(String(b))));
    expect(def.crds).toEqual(expect.arrayContaining(['jobsets.jobset.x-k8s.io', 'inferencepools.inference.networking.k8s.io']));
    expect(state.environments.latest!.crds).toEqual(def.crds);
  });

  test('environmentForProfile maps profiles to running environments', () => {
    expect(environmentForProfile({})).toBe('default');
    expect(environmentForProfile({ kubernetesVersion: '1.34' })).toBe('default');
    expect(environmentForProfile({ kubernetesVersion: 'v1.34.3', featureGates: { DRAPrioritizedList: true } })).toBe('default');
    expect(environmentForProfile({ kubernetesVersion: '1.37', featureGates: { GenericWorkload: true, DRAConsumableCapacity: true } })).toBe('latest');
    expect(() => environmentForProfile({ kubernetesVersion: '1.34', featureGates: { DRAConsumableCapacity: true } }))
      .toThrow(/DRAConsumableCapacity=true/);
    expect(() => environmentForProfile({ kubernetesVersion: '1.37', featureGates: { NoSuchGate: true } })).toThrow(/no such gate/);
  });

  test('environmentForProfile takes a ClusterProfile or a KubernetesVersion as they are', () => {
    const app = new App();
    const p37 = new ClusterProfile(app, 'P37', { kubernetesVersion: KubernetesVersion.V1_37, featureGates: { GenericWorkload: true } });
    expect(environmentForProfile(p37)).toBe('latest');
    expect(environmentForProfile(new ClusterProfile(new Chart(app, 'c'), 'P34'))).toBe('default');
    expect(environmentForProfile({ kubernetesVersion: KubernetesVersion.V1_34 })).toBe('default');
    expect(() => environmentForProfile({ kubernetesVersion: KubernetesVersion.V1_34, featureGateOverrides: { DRAConsumableCapacity: true } }))
      .toThrow(/default: gates differ: DRAConsumableCapacity=true \(environment has false\)/);
  });

  test('environmentForProfile: versions the binary cannot emulate get a clear error', () => {
    for (const version of ['1.33', 'v1.38.0', '2.0']) {
      expect(() => environmentForProfile({ kubernetesVersion: version }))
        .toThrow(/no test environment can emulate Kubernetes \d+\.\d+: the harness runs kube-apiserver 1\.37, whose --emulated-version reaches back to 1\.34, so it can test 1\.34, 1\.35, 1\.36, 1\.37 only/);
    }
    expect(() => environmentForProfile({ kubernetesVersion: 'latest' })).toThrow(/not a Kubernetes version: 'latest'/);
  });

  test.each(['1.35', '1.36'])('environmentForProfile maps %s to its emulated environment, or says how to start it', (version) => {
    const name = `emulated-${version}`;
    if (state.environments[name as keyof TestEnvState['environments']]) {
      expect(environmentForProfile({ kubernetesVersion: version })).toBe(name);
      expect(state.environments[name as keyof TestEnvState['environments']]!.emulatedVersion).toBe(version);
    } else {
      const running = ENVIRONMENT_NAMES.filter((n) => state.environments[n]);
      expect(() => environmentForProfile({ kubernetesVersion: version })).toThrow(
        `no running test environment matches Kubernetes ${version} with gates {}; ${name} (Kubernetes ${version}) is not running; `
        + `start it with CDK8S_AI_TESTENV_ENVIRONMENTS=${[...running, name].join(',')}`);
    }
  });

  test('requestedEnvironments: default and latest unless told otherwise', () => {
    expect(requestedEnvironments('')).toEqual(['default', 'latest']);
    expect(requestedEnvironments(' ')).toEqual([...DEFAULT_ENVIRONMENTS]);
    expect(requestedEnvironments('all')).toEqual([...ENVIRONMENT_NAMES]);
    expect(requestedEnvironments('none')).toEqual([]);
    expect(requestedEnvironments('default, emulated-1.36')).toEqual(['default', 'emulated-1.36']);
    expect(() => requestedEnvironments('default,1.36')).toThrow(/unknown environment '1.36' \(known: default, latest, emulated-1.35, emulated-1.36, none\)/);
  });
});

describe('namespaces shared by several sets', () => {
  const namespace = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'h-labels', labels } });

  test('a later set does not strip the labels an earlier set put on the namespace', async () => {
    await validateObjects([namespace({ 'example.com/team': 'research' })]);
    await validateObjects([namespace({ 'example.com/cost-center': 'cc-1' }), pod('a', 'h-labels')]);
    // a set that only uses the namespace: the harness applies it with the Pod Security labels only
    await validateObjects([pod('b', 'h-labels')]);
    const res = await sessionFor('default').client.get('/api/v1/namespaces/h-labels');
    expect((res.body as KubeObject).metadata.labels).toMatchObject({
      'example.com/team': 'research',
      'example.com/cost-center': 'cc-1',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  test('a label two sets disagree on goes to the later one', async () => {
    await validateObjects([namespace({ 'example.com/tier': 'gold' })]);
    await validateObjects([namespace({ 'example.com/tier': 'silver' })]);
    const res = await sessionFor('default').client.get('/api/v1/namespaces/h-labels');
    expect((res.body as KubeObject).metadata.labels?.['example.com/tier']).toBe('silver');
  });

  test('each Namespace content applies under its own field manager; other objects under one', () => {
    const a = fieldManagerFor(namespace({ x: '1' }));
    expect(a).toMatch(/^cdk8s-ai-test-ns-[0-9a-f]{16}$/);
    expect(fieldManagerFor(namespace({ x: '1' }))).toBe(a);
    expect(fieldManagerFor(namespace({ x: '2' }))).not.toBe(a);
    expect(fieldManagerFor({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' } })).toBe('cdk8s-ai-test');
  });
});

describe('known-bad objects are rejected', () => {
  test('a typo\'d field in a Deployment (fieldValidation=Strict)', async () => {
    const bad = deployment('web', 'h-typo');
    (bad.spec as Record<string, unknown>).replicaz = 3;
    const message = await rejection(() => validateObjects([bad]));
    expect(message).toContain('Deployment h-typo/web (apps/v1)');
    expect(message).toMatch(/\.spec\.replicaz: field not declared in schema/);
  });

  test('a privileged pod in a restricted namespace (PodSecurity enforce)', async () => {
    const message = await rejection(() => validateObjects([pod('priv', 'h-pss', PRIVILEGED_POD_SPEC)]));
    expect(message).toContain('Pod h-pss/priv');
    expect(message).toMatch(/violates PodSecurity "restricted:latest".*privileged/);
  });

  test('a privileged pod template in a Deployment (PodSecurity warn fails too)', async () => {
    const message = await rejection(() => validateObjects([deployment('priv', 'h-pss', PRIVILEGED_POD_SPEC)]));
    expect(message).toContain('Deployment h-pss/priv');
    expect(message).toMatch(/would violate PodSecurity "restricted:latest".*privileged/);
  });

  test('a bad CEL selector in a resource.k8s.io/v1 DeviceClass', async () => {
    const deviceClass: KubeObject = {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'DeviceClass',
      metadata: { name: 'harness-bad-cel' },
      spec: { selectors: [{ cel: { expression: "device.driver === 'gpu.nvidia.com'" } }] },
    };
    const message = await rejection(() => validateObjects([deviceClass]));
    expect(message).toContain('DeviceClass harness-bad-cel (resource.k8s.io/v1)');
    expect(message).toMatch(/spec\.selectors\[0\]\.cel\.expression/);
    expect(message).toMatch(/compilation failed|Syntax error/i);
  });

  test('fields behind gates that are off in 1.34 are caught as dropped in the default environment', async () => {
    const message = await rejection(() => validateObjects([gatedClaimTemplate('h-gated')]));
    expect(message).toContain('ResourceClaimTemplate h-gated/gpu (resource.k8s.io/v1)');
    expect(message).toContain('.spec.spec.devices.requests[0].exactly.tolerations');
    expect(message).toContain('.spec.spec.devices.requests[0].exactly.capacity');
    expect(message).toMatch(/dropped field/);
  });

  test('DeviceClass.extendedResourceName (DRAExtendedResource, alpha in 1.34) is dropped in default, kept in latest', async () => {
    const deviceClass: KubeObject = {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'DeviceClass',
      metadata: { name: 'harness-ext' },
      spec: {
        selectors: [{ cel: { expression: "device.driver == 'gpu.nvidia.com'" } }],
        extendedResourceName: 'example.com/gpu',
      },
    };
    expect(await rejection(() => validateObjects([deviceClass]))).toContain('.spec.extendedResourceName');
    await validateObjects([deviceClass], { environment: 'latest' });
  });

  test('the Workload API is not served in default; an invalid Workload is rejected in latest', async () => {
    const workload: KubeObject = {
      apiVersion: 'scheduling.k8s.io/v1beta1',
      kind: 'Workload',
      metadata: { name: 'train', namespace: 'h-workload' },
      spec: { podGroupTemplates: [{ name: 'workers', schedulingPolicy: { gang: { minCount: 0 } } }] },
    };
    expect(await rejection(() => validateObjects([workload]))).toMatch(/does not serve kind Workload in scheduling\.k8s\.io\/v1beta1 in environment 'default'/);
    expect(await rejection(() => validateObjects([workload], { environment: 'latest' }))).toMatch(/minCount/);
  });

  test('a CR with an unknown field and a CR violating its schema', async () => {
    const queue = {
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      kind: 'LocalQueue',
      metadata: { name: 'q', namespace: 'h-cr' },
      spec: { clusterQueue: 'cq', clusterQueu: 'typo' },
    };
    expect(await rejection(() => validateObjects([queue]))).toMatch(/LocalQueue h-cr\/q.*\.spec\.clusterQueu: field not declared in schema/s);
    const flavor = { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: 'Not_A_DNS_Name' } };
    expect(await rejection(() => validateObjects([flavor]))).toMatch(/ResourceFlavor Not_A_DNS_Name/);
  });

  test('a pod whose PriorityClass does not exist (Priority admission)', async () => {
    const p = pod('prio', 'h-prio', { ...RESTRICTED_POD_SPEC, priorityClassName: 'harness-missing' });
    expect(await rejection(() => validateObjects([p]))).toMatch(/no PriorityClass with name harness-missing was found/);
  });

  test('every failure of a set is reported, each with kind/namespace/name', async () => {
    const typo = deployment('a', 'h-multi');
    (typo.spec as Record<string, unknown>).replicaz = 1;
    const message = await rejection(() => validateObjects([typo, pod('b', 'h-multi', PRIVILEGED_POD_SPEC), pod('c', 'h-multi')]));
    expect(message).toMatch(/^2 of 3 object\(s\) failed API validation in environment 'default'/);
    expect(message).toContain('Deployment h-multi/a');
    expect(message).toContain('Pod h-multi/b');
    expect(message).not.toContain('Pod h-multi/c');
  });
});

describe('positive controls pass', () => {
  test('a restricted pod and Deployment, a Service and a ConfigMap (YAML input, default namespace)', async () => {
    const yaml = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: "1"}',
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: ${JSON.stringify(RESTRICTED_POD_SPEC)}`,
      'apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {selector: {app: ok}, ports: [{port: 80, targetPort: 8080}]}',
    ].join('\n---\n');
    const results = await validateObjects(yaml);
    expect(results.map((r) => r.description)).toEqual(expect.arrayContaining([
      'ConfigMap default/cfg (v1)', 'Pod default/ok (v1)', 'Service default/svc (v1)',
    ]));
    await validateObjects([deployment('web', 'h-ok')]);
  });

  test('the same gated ResourceClaimTemplate passes in latest', async () => {
    const [result] = await validateObjects([gatedClaimTemplate('h-gated')], { environment: 'latest' });
    expect(result.mode).toBe('dry-run');
    expect(JSON.stringify(result.response)).toContain('"tolerations"');
  });

  test('a chart: its own privileged Namespace is applied first, PriorityClass for real, cluster-scoped objects', async () => {
    const app = new App();
    const chart = new Chart(app, 'harness');
    new ApiObject(chart, 'ns', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'h-privileged', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    });
    new ApiObject(chart, 'pc', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'harness-high' }, value: 1000 } as never);
    new ApiObject(chart, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'priv', namespace: 'h-privileged' },
      spec: { ...PRIVILEGED_POD_SPEC, priorityClassName: 'harness-high' },
    } as never);
    new ApiObject(chart, 'role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'harness-reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    } as never);
    const results = await validateChart(chart);
    const modes = Object.fromEntries(results.map((r) => [r.object.kind, r.mode]));
    expect(modes).toEqual({ Namespace: 'applied', PriorityClass: 'applied', Pod: 'dry-run', ClusterRole: 'dry-run' });
  });

  test('a JobSet (CRD installed from ../shared/crds) and a Workload in latest', async () => {
    const jobset = {
      apiVersion: 'jobset.x-k8s.io/v1alpha2',
      kind: 'JobSet',
      metadata: { name: 'train', namespace: 'h-crd' },
      spec: { replicatedJobs: [{ name: 'workers', replicas: 2, template: { spec: { template: { spec: { ...RESTRICTED_POD_SPEC, restartPolicy: 'Never' } } } } }] },
    };
    await validateObjects([jobset]);
    const workload = {
      apiVersion: 'scheduling.k8s.io/v1beta1',
      kind: 'Workload',
      metadata: { name: 'train', namespace: 'h-crd' },
      spec: { podGroupTemplates: [{ name: 'workers', schedulingPolicy: { gang: { minCount: 4 } } }] },
    };
    await validateObjects([jobset, workload], { environment: 'latest' });
  });

  test('a CRD in the set is applied for real and its CRs validated', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.harness.example.com' },
      spec: {
        group: 'harness.example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } } } } },
        }],
      },
    };
    const widget = (size: number): object => ({ apiVersion: 'harness.example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'h-widgets' }, spec: { size } });
    await validateObjects([crd, widget(3)]);
    expect(await rejection(() => validateObjects([crd, widget(0)]))).toMatch(/Widget h-widgets\/w.*spec\.size.*should be greater than or equal to 1/s);
  });
});

describe('dropped-field comparison', () => {
  test('key presence, list items by index, zero values and quantities', () => {
    const sent = {
      spec: {
        a: '1000m', b: { c: 1 }, list: [{ x: 1 }, { y: 2 }], zero: 0, off: false, empty: {}, none: [], blank: '', nil: null,
      },
    };
    expect(droppedFields(sent, { spec: { a: '1', b: { c: 1 }, list: [{ x: 1 }, { y: 2 }] } })).toEqual([]);
    expect(droppedFields(sent, { spec: { a: '1', b: {}, list: [{ x: 1 }, {}] } })).toEqual(['.spec.b.c', '.spec.list[1].y']);
    expect(droppedFields(sent, { spec: { a: '1', list: [{ x: 1 }] } })).toEqual(['.spec.b', '.spec.list[1]']);
    expect(droppedFields({ metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, { metadata: {} }))
      .toEqual(['.metadata.labels']);
    expect(droppedFields({ metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, { metadata: { labels: {} } }))
      .toEqual(['.metadata.labels["app.kubernetes.io/name"]']);
  });

  test('Secret stringData is compared against data', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', stringData: { a: 'x', b: 'y' } };
    expect(droppedFields(secret, { apiVersion: 'v1', kind: 'Secret', data: { a: 'eA==', b: 'eQ==' } })).toEqual([]);
    expect(droppedFields(secret, { apiVersion: 'v1', kind: 'Secret', data: { a: 'eA==' } })).toEqual(['.stringData.b']);
  });

  test('a Secret with stringData passes against the server', async () => {
    await validateObjects([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'h-secret' }, stringData: { token: 'abc' } }]);
  });
});

describe('checkProperty', () => {
  const arbitrary = fc.record({
    replicas: fc.integer({ min: 0, max: 50 }),
    cpu: fc.constantFrom('100m', '250m', '1', '1500m', '2'),
    memory: fc.constantFrom('64Mi', '1Gi', '512M'),
    name: fc.stringMatching(/^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/),
    port: fc.integer({ min: 1, max: 65535 }),
  });
  const build = (v: { replicas: number; cpu: string; memory: string; name: string; port: number }): KubeObject[] => {
    const container = {
      ...RESTRICTED_POD_SPEC.containers[0],
      ports: [{ containerPort: v.port }],
      resources: { requests: { cpu: v.cpu, memory: v.memory } },
    };
    return [
      deployment(v.name, 'h-prop', { ...RESTRICTED_POD_SPEC, containers: [container] }, { replicas: v.replicas }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: v.name, namespace: 'h-prop' }, spec: { selector: { app: v.name }, ports: [{ port: v.port }] } },
    ];
  };

  test('200 generated Deployments + Services are accepted', async () => {
    const report = await checkProperty(arbitrary, build, { numRuns: 200, seed: 42 });
    note(`checkProperty report ${JSON.stringify(report)}`);
    expect(report.numRuns).toBe(200);
    expect(report.objects).toBe(400);
    expect(report.dryRunRequests).toBeLessThanOrEqual(400);
  });

  test('a property the server rejects fails with a shrunk counterexample naming the object', async () => {
    // Service names are DNS labels: at most 63 characters.
    let message = '';
    try {
      await checkProperty(fc.integer({ min: 1, max: 100 }), (n) => [{
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'a'.repeat(n), namespace: 'h-prop' }, spec: { ports: [{ port: 80 }] },
      }], { numRuns: 200, seed: 7 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/Counterexample: \[64\]/);
    expect(message).toMatch(/Service h-prop\/a{64}/);
  });

  test('a synth error is shrunk by fast-check without the server', async () => {
    await expect(checkProperty(fc.integer({ min: 0, max: 100 }), (n) => {
      if (n > 10) {
        throw new Error(`too big: ${n}`);
      }
      return [];
    }, { numRuns: 100, seed: 1, synthOnly: true })).rejects.toThrow(/Counterexample: \[11\].*too big: 11/s);
  });
});

class Validated extends ApiObject {
  constructor(scope: Chart, id: string, private readonly problem?: string) {
    super(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });
    this.node.addValidation({ validate: () => (this.problem ? [this.problem] : []) });
  }
}

badInputCatalogue([
  {
    name: 'an error thrown while building',
    build: () => {
      throw new Error("props.gpus must be a positive integer, got '-1'");
    },
    error: /props\.gpus must be a positive integer/,
  },
  {
    name: 'a construct validation error at synth',
    build: (scope) => {
      new Validated(scope as Chart, 'ok');
      new Validated(scope as Chart, 'bad', 'replicas must be >= 1');
    },
    error: 'replicas must be >= 1',
  },
], { title: 'badInputCatalogue' });

describe('badInputCatalogue helper', () => {
  test('detects files written before the error', () => {
    const { error, files } = runBadInput({
      name: 'partial write',
      build: (scope) => {
        const app = scope.node.root as App;
        new Validated(new Chart(app, 'first-written'), 'fine');
        const late = new Chart(app, 'z-late');
        late.toJson = () => {
          throw new Error('late failure');
        };
      },
      error: 'late failure',
    });
    expect((error as Error).message).toBe('late failure');
    expect(files.length).toBeGreaterThan(0);
  });
});

describe('openapi', () => {
  test('/openapi/v2 of latest has the 1.37 Workload API', async () => {
    const doc = await fetchOpenApiV2('latest') as { definitions: Record<string, unknown> };
    expect(Object.keys(doc.definitions)).toEqual(expect.arrayContaining([
      'io.k8s.api.scheduling.v1beta1.Workload', 'io.k8s.api.scheduling.v1beta1.PodGroup',
    ]));
  });
});

describe('process hygiene', () => {
  test('killing the process that started the environment kills the servers and removes the temp dir', async () => {
    const script = `
      const { startTestEnv } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'test/harness/control-plane'))});
      startTestEnv({ environments: [] }).then((env) => {
        process.stdout.write(JSON.stringify({ dir: env.state.tempDir, pid: env.state.etcd.pid }) + '\\n');
        setInterval(() => undefined, 1000);
      }, (err) => { console.error(err); process.exit(2); });`;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TS_NODE_PROJECT: path.join(PROJECT_ROOT, 'test/tsconfig.json') },
    });
    const info = await new Promise<{ dir: string; pid: number }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) {
          resolve(JSON.parse(out.split('\n')[0]) as { dir: string; pid: number });
        }
      });
      child.once('exit', (code) => reject(new Error(`child exited early: ${code}`)));
    });
    expect(fs.existsSync(info.dir)).toBe(true);
    expect(() => process.kill(info.pid, 0)).not.toThrow();
    child.kill('SIGKILL');
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 15_000;
    while ((alive(info.pid) || fs.existsSync(info.dir)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(alive(info.pid)).toBe(false);
    expect(fs.existsSync(info.dir)).toBe(false);
  });
});

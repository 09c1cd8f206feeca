// Every GpuRequest shape, wired into a PSS-restricted Deployment, on the real apiserver (1.34 and 1.37 profiles).
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ENVS, SHAPES, adminAccessNamespace, appFor } from './fixtures';
import { GpuWorkload } from './gpu-workload';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GpuAllocation } from '../../src/cluster/cluster-profile';
import { validateChart } from '../harness';

describe.each(ENVS)('GpuRequest shapes on the %s environment', (env) => {
  const allowed = SHAPES.filter((s) => s.envs.includes(env));

  test.each(allowed.map((s) => [s.name, s] as const))('%s passes the apiserver', async (_name, shape) => {
    const { chart } = appFor(env);
    const workload = new GpuWorkload(chart, 'workload', { gpus: shape.request(), replicas: shape.replicas });
    const results = await validateChart(chart, { environment: env });
    const kinds = results.map((r) => r.object.kind).sort();
    expect(kinds).toContain('Deployment');
    const pod = (results.find((r) => r.object.kind === 'Deployment')!.response as any).spec.template.spec;
    if (workload.attachment.extendedResource) {
      expect(pod.containers[0].resources.limits[workload.attachment.extendedResource]).toBeDefined();
    } else {
      expect(kinds.some((k) => k === 'ResourceClaimTemplate' || k === 'ResourceClaim')).toBe(true);
      expect(pod.resourceClaims.map((c: any) => c.name)).toContain('gpus');
      expect(pod.containers[0].resources.claims).toContainEqual({ name: 'gpus' });
    }
    const taintKey = shape.request().model?.vendor.taintKey ?? 'nvidia.com/gpu';
    expect(pod.tolerations).toContainEqual({ key: taintKey, operator: 'Exists', effect: 'NoSchedule' });
  });

  // device-selectors.apiserver.test.ts compares the synth-time CEL check with the apiserver's on a corpus.
  test('a selector the apiserver would reject is refused at synth, before it gets there', async () => {
    const { chart } = appFor(env);
    const synth = async () => {
      new GpuWorkload(chart, 'broken', { gpus: GpuRequest.of(1, { extraSelectors: ["device.attributes['gpu.nvidia.com'].productName.noSuchFunction()"] }) });
      return validateChart(chart, { environment: env });
    };
    await expect(synth()).rejects.toThrow(/gpus\.extraSelectors\[0\].*found no matching overload for "dyn\.noSuchFunction\(\)"/);
  });

  test('admin access in a namespace labelled for it', async () => {
    const { app } = appFor(env);
    adminAccessNamespace(app, 'gpu-admin');
    new GpuWorkload(new Chart(app, 'admin', { namespace: 'gpu-admin' }), 'monitor', { gpus: GpuRequest.of(1, { adminAccess: true }) });
    const results = await validateChart(app, { environment: env });
    const template = results.find((r) => r.object.kind === 'ResourceClaimTemplate')!.response as any;
    expect(template.spec.spec.devices.requests[0].exactly.adminAccess).toBe(true);
  });

  test('device-plugin fallback on a cluster without DRA', async () => {
    const { chart } = appFor(env, { gpuAllocation: GpuAllocation.DEVICE_PLUGIN });
    new GpuWorkload(chart, 'fallback', { gpus: GpuRequest.of(2, { model: GpuModel.NVIDIA_L4 }), replicas: 2 });
    const results = await validateChart(chart, { environment: env });
    expect(results.map((r) => r.object.kind)).toEqual(['Deployment']);
    const pod = (results[0].response as any).spec.template.spec;
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('2');
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toContainEqual({ key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-L4'] });
  });

  test('two GPU claims in one pod, one per container', async () => {
    const { chart } = appFor(env);
    new GpuWorkload(chart, 'two', { gpus: GpuRequest.of(1), sidecars: ['helper'], gpuContainers: ['main'] });
    const results = await validateChart(chart, { environment: env });
    const pod = (results.find((r) => r.object.kind === 'Deployment')!.response as any).spec.template.spec;
    expect(pod.containers.find((c: any) => c.name === 'helper').resources?.claims).toBeUndefined();
  });
});

describe('why the gated features are refused on 1.34: the apiserver would drop them', () => {
  const gated = (chart: Chart) => {
    new ApiObject(chart, 'rct', {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceClaimTemplate',
      metadata: { name: 'raw-memory-share' },
      spec: { spec: { devices: { requests: [{ name: 'gpus', exactly: { deviceClassName: 'gpu.nvidia.com', capacity: { requests: { memory: '10Gi' } } } }] } } },
    });
    new ApiObject(new Chart(chart.node.scope as Construct, 'cluster'), 'dc', {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'DeviceClass',
      metadata: { name: 'raw-extended.example.com' },
      spec: { extendedResourceName: 'example.com/raw-gpu' },
    });
  };

  test('on the default (1.34) environment capacity requests and extendedResourceName are dropped', async () => {
    const { app, chart } = appFor('default');
    gated(chart);
    const error = await validateChart(app, { environment: 'default' }).then(() => undefined, (e: Error) => e.message);
    expect(error).toMatch(/ResourceClaimTemplate .*raw-memory-share.*dropped field\(s\) .*capacity/);
    expect(error).toMatch(/DeviceClass .*raw-extended.example.com.*dropped field\(s\) .*extendedResourceName/);
  });

  test('on the latest (1.37) environment both are kept', async () => {
    const { app, chart } = appFor('latest');
    gated(chart);
    const results = await validateChart(app, { environment: 'latest' });
    expect(results).toHaveLength(2);
  });
});

// NicRequest without the apiserver: the claim shapes (aligned GPU/NIC groups on one PCIe root, or a NIC claim of
// their own), the NCCL environment that goes with RDMA NICs, the refusals, and the conformance item it feeds.
import { Chart, Testing } from 'cdk8s';
import { NIC_ADDONS, nicApp, nicGang } from './nic-fixtures';
import { DeviceAttribute } from '../../src/accelerators/device-attribute';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NicDriver, NicRequest } from '../../src/accelerators/nic-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { GpuAllocation } from '../../src/cluster/cluster-profile';
import { warnings } from '../../src/cluster/platform-warnings';
import { requirementsOf } from '../../src/platform/ai-conformance';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { TrainingBackend } from '../../src/training/training-backend';
import { TrainingLauncher } from '../../src/training/training-launcher';

const RDMA_SELECTOR = { cel: { expression: "has(device.attributes['dra.net'].rdma) && device.attributes['dra.net'].rdma == true" } };
const PCIE_ROOT = 'resource.kubernetes.io/pcieRoot';

function objectsOf(chart: Chart): any[] {
  return Testing.synth(chart);
}
const kind = (objects: any[], k: string) => objects.filter((o) => o.kind === k);
const template = (objects: any[], name: string) => kind(objects, 'ResourceClaimTemplate').find((t) => t.metadata.name === name);
/** Template names, sorted (the NIC template, which nothing depends on, is emitted before the GPU one). */
const templateNames = (objects: any[]) => kind(objects, 'ResourceClaimTemplate').map((t) => t.metadata.name).sort();
const podSpec = (objects: any[]) => {
  const holder = objects.find((o) => o.kind === 'JobSet' || o.kind === 'TrainingRuntime');
  const spec = holder.kind === 'TrainingRuntime' ? holder.spec.template.spec : holder.spec;
  return spec.replicatedJobs[0].template.spec.template.spec;
};
const envOf = (objects: any[]) => Object.fromEntries((podSpec(objects).containers[0].env ?? []).map((e: any) => [e.name, e.value]));

describe('NICs aligned with GPUs join the GPU claim', () => {
  test('8 GPUs and 8 NICs: eight GPU/NIC pairs, each on one PCIe root', () => {
    const { chart } = nicApp();
    nicGang(chart);
    const objects = objectsOf(chart);
    const templates = kind(objects, 'ResourceClaimTemplate');
    expect(templates.map((t) => t.metadata.name)).toEqual(['ft-gpus']);
    const devices = templates[0].spec.spec.devices;
    expect(devices.requests.map((r: any) => r.name)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [`gpus-${i}`, `nics-${i}`]));
    expect(devices.requests[0].exactly).toMatchObject({ deviceClassName: 'gpu.nvidia.com', count: 1, allocationMode: 'ExactCount' });
    expect(devices.requests[0].exactly.selectors[0].cel.expression).toContain("productName.lowerAscii().matches('h100')");
    expect(devices.requests[1].exactly).toEqual({ deviceClassName: 'dranet', count: 1, allocationMode: 'ExactCount', selectors: [RDMA_SELECTOR] });
    expect(devices.constraints).toHaveLength(8);
    expect(devices.constraints[3]).toEqual({ requests: ['gpus-3', 'nics-3'], matchAttribute: PCIE_ROOT });
    // One pod claim: the container gets the whole claim, GPUs and NICs.
    expect(podSpec(objects).resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'ft-gpus' }]);
    expect(podSpec(objects).containers[0].resources.claims).toEqual([{ name: 'gpus' }]);
  });

  test('one NIC for all GPUs keeps the request names `gpus` and `nics`', () => {
    const { chart } = nicApp();
    nicGang(chart, { gpusPerWorker: GpuRequest.of(2), nicsPerWorker: NicRequest.of(1, { alignWithGpus: true }) });
    const devices = kind(objectsOf(chart), 'ResourceClaimTemplate')[0].spec.spec.devices;
    expect(devices.requests.map((r: any) => [r.name, r.exactly.count])).toEqual([['gpus', 2], ['nics', 1]]);
    expect(devices.constraints).toEqual([{ requests: ['gpus', 'nics'], matchAttribute: PCIE_ROOT }]);
  });

  test('4 NICs for 8 GPUs: two GPUs per NIC; the GPU request\'s own constraints stay on the GPUs', () => {
    const { chart } = nicApp();
    nicGang(chart, {
      gpusPerWorker: GpuRequest.of(8, { sameAttributes: [DeviceAttribute.NVIDIA_PRODUCT_NAME] }),
      nicsPerWorker: NicRequest.of(4, { alignWithGpus: true }),
    });
    const devices = kind(objectsOf(chart), 'ResourceClaimTemplate')[0].spec.spec.devices;
    expect(devices.requests.filter((r: any) => r.name.startsWith('gpus')).map((r: any) => r.exactly.count)).toEqual([2, 2, 2, 2]);
    expect(devices.constraints[0]).toEqual({ requests: ['gpus-0', 'gpus-1', 'gpus-2', 'gpus-3'], matchAttribute: 'gpu.nvidia.com/productName' });
    expect(devices.constraints.slice(1).map((c: any) => c.requests)).toEqual([0, 1, 2, 3].map((i) => [`gpus-${i}`, `nics-${i}`]));
  });

  test('the pool\'s DeviceClass and the Kubeflow Trainer backend carry over', () => {
    const { chart } = nicApp('default', { addons: [...NIC_ADDONS, ClusterAddon.KUBEFLOW_TRAINER] });
    nicGang(chart, { backend: TrainingBackend.kubeflowTrainer(), nicsPerWorker: NicRequest.of(2, { alignWithGpus: true }) });
    const objects = objectsOf(chart);
    expect(kind(objects, 'ResourceClaimTemplate')[0].spec.spec.devices.requests).toHaveLength(4);
    expect(podSpec(objects).resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'ft-gpus' }]);
  });
});

describe('NICs not aligned get a claim of their own', () => {
  test('a `nics` ResourceClaimTemplate next to the GPU one, both given to the trainer', () => {
    const { chart } = nicApp();
    nicGang(chart, { nicsPerWorker: NicRequest.of(2) });
    const objects = objectsOf(chart);
    expect(templateNames(objects)).toEqual(['ft-gpus', 'ft-nics']);
    expect(template(objects, 'ft-gpus').spec.spec.devices.requests.map((r: any) => r.name)).toEqual(['gpus']);
    expect(template(objects, 'ft-nics').spec.spec.devices).toEqual({
      requests: [{ name: 'nics', exactly: { deviceClassName: 'dranet', count: 2, allocationMode: 'ExactCount', selectors: [RDMA_SELECTOR] } }],
    });
    expect(podSpec(objects).resourceClaims.map((c: any) => c.name)).toEqual(['gpus', 'nics']);
    expect(podSpec(objects).containers[0].resources.claims).toEqual([{ name: 'gpus' }, { name: 'nics' }]);
  });

  test('a CPU-only gang, and GPUs from the device plugin, can still take NICs', () => {
    for (const [props, profile] of [
      [{ gpusPerWorker: undefined }, {}],
      [{}, { gpuAllocation: GpuAllocation.DEVICE_PLUGIN }],
    ] as const) {
      const { chart } = nicApp('default', profile);
      nicGang(chart, { ...props, nicsPerWorker: NicRequest.of(1) });
      expect(templateNames(objectsOf(chart))).toEqual(['ft-nics']);
    }
  });

  test('non-RDMA NICs: no RDMA selector and no NCCL variables; a platform DeviceClass name and extra selectors', () => {
    const { chart } = nicApp();
    nicGang(chart, { nicsPerWorker: NicRequest.of(2, { rdma: false, deviceClassName: 'dranet.net', extraSelectors: ["device.attributes['dra.net'].numaNode == 0"] }) });
    const objects = objectsOf(chart);
    expect(template(objects, 'ft-nics').spec.spec.devices.requests[0].exactly).toEqual({
      deviceClassName: 'dranet.net', count: 2, allocationMode: 'ExactCount', selectors: [{ cel: { expression: "device.attributes['dra.net'].numaNode == 0" } }],
    });
    expect(envOf(objects).NCCL_SOCKET_IFNAME).toBe('^lo,docker'); // the launcher's default, untouched
  });

  test('a driver of your own, checked against its add-on', () => {
    const driver = NicDriver.custom({ name: 'sriovnetwork.k8snetworkplumbingwg.io', rdmaAttribute: 'rdmaCapable' });
    const { chart } = nicApp('default', { addons: [...NIC_ADDONS, ClusterAddon.custom('sriovnetwork.k8snetworkplumbingwg.io')] });
    nicGang(chart, { nicsPerWorker: NicRequest.of(1, { driver }) });
    expect(template(objectsOf(chart), 'ft-nics').spec.spec.devices.requests[0].exactly).toMatchObject({
      deviceClassName: 'sriovnetwork.k8snetworkplumbingwg.io',
      selectors: [{ cel: { expression: "has(device.attributes['sriovnetwork.k8snetworkplumbingwg.io'].rdmaCapable) && device.attributes['sriovnetwork.k8snetworkplumbingwg.io'].rdmaCapable == true" } }],
    });
  });
});

describe('the NCCL environment that goes with RDMA NICs', () => {
  test('aligned: bootstrap over the pod network and GPUDirect RDMA up to the PCIe host bridge', () => {
    const { chart } = nicApp();
    nicGang(chart);
    const env = envOf(objectsOf(chart));
    expect(env).toMatchObject({ NCCL_SOCKET_IFNAME: '=eth0', NCCL_NET_GDR_LEVEL: 'PHB' });
    expect(env.NCCL_IB_HCA).toBeUndefined();
  });

  test('not aligned: only the bootstrap interface (no GPUDirect distance is guaranteed)', () => {
    const { chart } = nicApp();
    nicGang(chart, { nicsPerWorker: NicRequest.of(2) });
    const env = envOf(objectsOf(chart));
    expect(env.NCCL_SOCKET_IFNAME).toBe('=eth0');
    expect(env.NCCL_NET_GDR_LEVEL).toBeUndefined();
  });

  test('the launcher\'s nccl settings and the job\'s env win', () => {
    const launcherSet = nicApp();
    nicGang(launcherSet.chart, { launcher: TrainingLauncher.torchrun({ nccl: { socketInterfaces: '=net1', gpuDirectLevel: 'SYS' } }) });
    expect(envOf(objectsOf(launcherSet.chart))).toMatchObject({ NCCL_SOCKET_IFNAME: '=net1', NCCL_NET_GDR_LEVEL: 'SYS' });
    const envSet = nicApp();
    nicGang(envSet.chart, { env: { NCCL_SOCKET_IFNAME: '=net1', NCCL_NET_GDR_LEVEL: 'PXB' } });
    expect(envOf(objectsOf(envSet.chart))).toMatchObject({ NCCL_SOCKET_IFNAME: '=net1', NCCL_NET_GDR_LEVEL: 'PXB' });
  });
});

describe('refusals and warnings', () => {
  const refused: [string, () => void, RegExp][] = [
    ['a profile without the driver', () => nicGang(nicApp('default', { addons: [...ClusterAddon.defaults(), ClusterAddon.SCHEDULER_PLUGINS] }).chart),
      /\[c\/ft\] nicsPerWorker.*NICs from the DRA network driver dra\.net \(NicRequest\) needs DRANET DRA network driver \(dra\.net\), which the ClusterProfile "Cluster" does not list/],
    ['alignment without GPUs', () => nicGang(nicApp().chart, { gpusPerWorker: undefined }),
      /nicsPerWorker\.alignWithGpus.*requests none/],
    ['alignment with MIG devices', () => nicGang(nicApp().chart, { gpusPerWorker: GpuRequest.mig('1g.10gb', { count: 2 }), nicsPerWorker: NicRequest.of(1, { alignWithGpus: true }) }),
      /nicsPerWorker\.alignWithGpus.*whole GPUs \(GpuRequest\.of\), not with a Mig GPU request/],
    ['alignment with device-plugin GPUs', () => nicGang(nicApp('default', { gpuAllocation: GpuAllocation.DEVICE_PLUGIN }).chart),
      /nicsPerWorker\.alignWithGpus.*requested as an extended resource/],
    ['a NIC count that does not divide the GPUs', () => nicGang(nicApp().chart, { nicsPerWorker: NicRequest.of(3, { alignWithGpus: true }) }),
      /nicsPerWorker\.count.*got 3; expected a divisor of the 8 GPUs per pod/],
    ['RDMA from a driver without an RDMA attribute', () => nicGang(nicApp('default', { addons: [...NIC_ADDONS, ClusterAddon.custom('nic.example.com')] }).chart,
      { nicsPerWorker: NicRequest.of(1, { driver: NicDriver.custom({ name: 'nic.example.com' }) }) }),
    /nicsPerWorker\.rdma.*nic\.example\.com has no RDMA attribute/],
  ];
  test.each(refused)('%s is refused', (_name, build, error) => {
    expect(build).toThrow(error);
  });

  test('Kueue is warned about the NIC DeviceClass it must map', () => {
    const { chart } = nicApp();
    nicGang(chart, { scheduler: GangScheduler.kueue({ queue: 'research' }) });
    expect(warnings(chart).filter((w) => w.includes('deviceClassMappings'))).toEqual([
      '[c/ft] Kueue (v0.19, DRA integration on) counts every device of a ResourceClaimTemplate and leaves the workload inadmissible ' +
      'while DeviceClass "dranet" has no resources.deviceClassMappings entry in its Configuration (pkg/dra/claims.go); map it to a ' +
      'resource the ClusterQueue covers',
    ]);
  });
});

describe('AI conformance: high_performance_networking', () => {
  test('claims with NICs rely on it; GPU-only claims do not', () => {
    const { chart } = nicApp();
    nicGang(chart);
    nicGang(new Chart(chart.node.scope as any, 'd', { namespace: 'other' }), { nicsPerWorker: NicRequest.of(1) });
    nicGang(new Chart(chart.node.scope as any, 'e', { namespace: 'gpu-only' }), { nicsPerWorker: undefined });
    const claims = (c: Chart) => kind(objectsOf(c), 'ResourceClaimTemplate').map((t) => [t.metadata.name, requirementsOf(t).includes('high_performance_networking')])
      .sort();
    expect(claims(chart)).toEqual([['ft-gpus', true]]);
    expect(claims(chart.node.scope!.node.findChild('d') as Chart)).toEqual([['ft-gpus', false], ['ft-nics', true]]);
    expect(claims(chart.node.scope!.node.findChild('e') as Chart)).toEqual([['ft-gpus', false]]);
  });

  test('the same app gives the same bytes', () => {
    const once = () => {
      const { app, chart } = nicApp();
      nicGang(chart, { gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_B200 }) });
      return app.synthYaml();
    };
    expect(once()).toEqual(once());
  });
});

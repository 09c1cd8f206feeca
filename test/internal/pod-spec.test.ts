import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../src/imports/k8s';
import { restrictedViolations } from '../../src/security/pod-security';
import { PodSpecBuilder, computeResources, defaultPullPolicy, resolveSecurity } from '../../src/security/pod-spec';

function builder(props = {}) {
  const scope = new Construct(Testing.chart(), 'w');
  return new PodSpecBuilder(scope, resolveSecurity(scope, props));
}

describe('PodSpecBuilder', () => {
  test('applies the restricted Pod Security defaults', () => {
    const b = builder();
    b.addContainer({ name: 'main', image: 'busybox:1.36' });
    const spec = b.build();
    expect(spec.automountServiceAccountToken).toBe(false);
    // 65532: above 10000 (no collision with host users, checkov CKV_K8S_40), distroless' nonroot user.
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
    });
    expect(restrictedViolations(spec)).toEqual([]);
  });

  test('scratch volumes and /dev/shm are mounted into every container', () => {
    const b = builder();
    b.addContainer({ name: 'a', image: 'x:1' });
    b.addSharedMemory('8Gi');
    b.addScratch('tmp', '/tmp');
    b.addContainer({ name: 'b', image: 'x:1' });
    const spec = b.build();
    for (const c of spec.containers) expect(c.volumeMounts?.map((m) => m.mountPath)).toEqual(['/dev/shm', '/tmp']);
    expect(spec.volumes?.map((v) => v.name)).toEqual(['dshm', 'tmp']);
  });

  test('fails to build a pod that restricted would reject, listing each violation', () => {
    const b = builder();
    b.addContainer({ name: 'root', image: 'x:1', securityContext: { privileged: true, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } });
    b.addVolume({ name: 'host', hostPath: { path: '/' } });
    expect(() => b.build()).toThrow(
      /\[test\/w\] security: the pod would not pass Pod Security "restricted": volume host uses hostPath.*container root: privileged must be false; container root: capabilities may add only NET_BIND_SERVICE, not SYS_ADMIN/,
    );
  });

  test('fails on a root user id', () => {
    const scope = new Construct(Testing.chart(), 'w');
    expect(() => resolveSecurity(scope, { runAsUser: 0 })).toThrow('[test/w] security.runAsUser (security.run_as_user): got 0; expected an integer from 1 to 2147483647');
  });

  test('fails on two different volumes with one name and on a pod without containers', () => {
    const b = builder();
    b.addVolume({ name: 'v', emptyDir: {} });
    expect(() => b.addVolume({ name: 'v', configMap: { name: 'c' } })).toThrow(/two different volumes are named "v"/);
    expect(() => b.build()).toThrow(/a pod needs at least one container/);
  });

  test('restrictedViolations catches host namespaces, seccomp and missing drops', () => {
    expect(restrictedViolations({ hostNetwork: true, containers: [{ name: 'c' }] })).toEqual([
      'hostNetwork must be false',
      'container c: allowPrivilegeEscalation must be false',
      'container c: capabilities must drop ALL',
      'container c: runAsNonRoot must be true',
      'container c: seccompProfile must be RuntimeDefault or Localhost',
    ]);
  });

  test('restrictedViolations reads rendered JSON field names as well as typed ones', () => {
    const secure = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    const rendered: any = { hostPID: true, hostIPC: true, volumes: [{ name: 'v', scaleIO: { gateway: 'g', system: 's', secretRef: {} } }], containers: [{ name: 'c', securityContext: secure }] };
    expect(restrictedViolations(rendered)).toEqual([
      'hostPID must be false',
      'hostIPC must be false',
      'volume v uses scaleIO; allowed: configMap, csi, downwardApi, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret',
    ]);
    expect(restrictedViolations({ hostPid: true, hostIpc: true, containers: [{ name: 'c', securityContext: secure as any }] })).toEqual([
      'hostPID must be false',
      'hostIPC must be false',
    ]);
  });
});

describe('PodSpecBuilder devices', () => {
  test('gives a DRA claim to every regular container by default, or to the named ones', () => {
    const b = builder();
    b.addContainer({ name: 'init', image: 'x:1' }, { init: true });
    b.addContainer({ name: 'server', image: 'x:1' });
    b.addResourceClaim({ name: 'gpus', resourceClaimTemplateName: 'llama-gpus' });
    b.addContainer({ name: 'sidecar', image: 'x:1' });
    b.addResourceClaim({ name: 'nic', resourceClaimTemplateName: 'nic' }, ['server'], 'rdma');
    const spec = b.build();
    expect(spec.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'llama-gpus' }, { name: 'nic', resourceClaimTemplateName: 'nic' }]);
    expect(spec.initContainers?.[0].resources).toBeUndefined();
    expect(spec.containers[0].resources?.claims).toEqual([{ name: 'gpus' }, { name: 'nic', request: 'rdma' }]);
    expect(spec.containers[1].resources?.claims).toEqual([{ name: 'gpus' }]);
  });

  test('requests extended resources as limits', () => {
    const b = builder();
    b.addContainer({ name: 'server', image: 'x:1', resources: { limits: { memory: { value: '1Gi' } as any } } });
    b.addExtendedResource('nvidia.com/gpu', 2);
    const limits = b.build().containers[0].resources?.limits ?? {};
    expect(Object.keys(limits)).toEqual(['memory', 'nvidia.com/gpu']);
    expect(limits['nvidia.com/gpu'].value).toBe(2);
  });

  test('fails when devices are given to a container the pod does not have', () => {
    const b = builder();
    b.addContainer({ name: 'server', image: 'x:1' });
    b.addExtendedResource('nvidia.com/gpu', 1, ['svr']);
    expect(() => b.build()).toThrow('[test/w] containers: devices are given to unknown containers svr; the pod has server');
  });
});

describe('PodSpecBuilder scheduling and pull policy', () => {
  test('a tag is pulled Always, a digest IfNotPresent, a pull policy the caller sets is kept', () => {
    const digest = 'registry.example/app@sha256:' + 'e'.repeat(64);
    expect(defaultPullPolicy('registry.example/app:1.0')).toBe('Always');
    expect(defaultPullPolicy(digest)).toBe('IfNotPresent');
    const b = builder();
    b.addContainer({ name: 'tag', image: 'x:1' });
    b.addContainer({ name: 'digest', image: digest });
    b.addContainer({ name: 'own', image: 'x:1', imagePullPolicy: 'IfNotPresent' });
    expect(b.build().containers.map((c) => c.imagePullPolicy)).toEqual(['Always', 'IfNotPresent', 'IfNotPresent']);
  });

  test('pod affinity, anti-affinity and spread live next to node affinity (none overwrites another)', () => {
    const b = builder();
    b.addContainer({ name: 'main', image: 'x:1' });
    b.requireNode({ key: 'gpu', operator: 'Exists' });
    b.addPodAffinity({ labelSelector: { matchLabels: { app: 'a' } }, topologyKey: 'topology.kubernetes.io/zone' });
    b.spreadAcrossNodes({ app: 'a' });
    b.spreadAcrossNodes({ app: 'a' });
    b.addTopologySpread({ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'a' } } });
    const spec = b.build();
    expect(spec.affinity).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }] } },
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'a' } }, topologyKey: 'topology.kubernetes.io/zone' }] },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'a' } }, topologyKey: 'kubernetes.io/hostname' } }],
      },
    });
    expect(spec.topologySpreadConstraints).toHaveLength(1);
    expect(() => b.addPodAntiAffinity({ topologyKey: 'x' }, 101)).toThrow('[test/w] affinity.weight: got 101; expected an integer from 1 to 100');
  });

  test('Workload API fields (newer than the 1.34 PodSpec) are set through the builder and only in buildJson', () => {
    const b = builder();
    b.addContainer({ name: 'main', image: 'x:1' });
    b.setSchedulingFields({ schedulingGroup: { podGroupName: 'job-workers' } });
    expect(b.buildJson().schedulingGroup).toEqual({ podGroupName: 'job-workers' });
    expect((b.build() as any).schedulingGroup).toBeUndefined();
    b.setSchedulingFields({ workloadRef: { name: 'job', podGroup: 'workers' } });
    expect(b.buildJson().workloadRef).toEqual({ name: 'job', podGroup: 'workers' });
    expect(() => b.setSchedulingFields({ nodeName: 'n' } as any)).toThrow(/unknown pod fields nodeName/);
  });

  test('compute resources: limits default to the requests (Guaranteed QoS)', () => {
    const json = (r: ReturnType<typeof computeResources>) => k8s.toJson_ResourceRequirements(r);
    expect(json(computeResources({ cpu: '2', memory: '4Gi' }))).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(json(computeResources({ cpu: '2', cpuLimit: '4', memory: '4Gi', otherRequests: { 'ephemeral-storage': '10Gi' } }))).toEqual({
      requests: { 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '10Gi' }, limits: { cpu: '4', memory: '4Gi' },
    });
  });
});

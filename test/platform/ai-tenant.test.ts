import { Chart, JsonPatch } from 'cdk8s';
import * as fc from 'fast-check';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { localQueues } from '../../src/cluster/app-registry';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { namespaceOf } from '../../src/internal/namespace';
import { AiTenant, ReclaimPolicy } from '../../src/platform/ai-tenant';
import { TenantAccess } from '../../src/platform/tenant-access';
import { ImageAdmissionPolicy } from '../../src/security/image-admission-policy';
import { allowTraffic } from '../../src/security/tenant-network';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { MERGE_PATCH_CONTENT, applyObjects, badInputCatalogue, checkProperty, sessionFor, validateChart, validateObjects } from '../harness';
import { GpuServer, platform } from '../security/fixtures';

const APISERVER_TIMEOUT = 600_000;

function byKind(chart: Chart, kind: string, namespace?: string): any[] {
  const inNamespace = (o: any) => namespace === undefined || o.metadata?.namespace === namespace || o.metadata?.name === namespace;
  return chart.toJson().filter((o: any) => o.kind === kind && inNamespace(o));
}

function twoTenants(options: Parameters<typeof platform>[0] = {}) {
  const p = platform(options);
  const research = new AiTenant(p.chart, 'research', {
    team: 'research',
    owner: 'alice',
    costCenter: 'cc-100',
    groups: ['research-devs'],
    access: TenantAccess.SUBMIT_JOBS,
    gpuQuota: [{ pool: p.pool, gpus: 8, borrowingLimit: 4, lendingLimit: 6 }],
  });
  const prod = new AiTenant(p.chart, 'prod', {
    team: 'serving',
    owner: 'bob',
    costCenter: 'cc-200',
    gpuQuota: [{ pool: p.pool, gpus: 8 }],
    fairShare: { reclaimWithinCohort: ReclaimPolicy.LOWER_PRIORITY, weight: 2 },
  });
  new GpuServer(research, 'llm', { pool: p.pool, gpus: 2, replicas: 2 });
  new GpuServer(prod, 'chat', { pool: p.pool, gpus: 1, replicas: 3 });
  return { ...p, research, prod };
}

describe('AiTenant', () => {
  test('workloads created inside land in the tenant namespace; the LocalQueue is recorded', () => {
    const { chart, research } = twoTenants();
    expect(namespaceOf(research.node.findChild('llm'))).toBe('research');
    expect(byKind(chart, 'Deployment', 'research')).toHaveLength(1);
    expect(localQueues(chart).map((q) => `${q.namespace}/${q.name}`)).toEqual(['research/research', 'prod/prod']);
  });

  test('namespace enforces restricted pinned to the target minor, with ownership labels', () => {
    const { chart } = twoTenants({ version: KubernetesVersion.V1_36 });
    const ns = byKind(chart, 'Namespace', 'research')[0];
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.36',
      'team': 'research',
      'owner': 'alice',
      'cost-center': 'cc-100',
    });
  });

  test('DRA quota: device-class key from the pool model, no limits. key, hard = gpus + borrowingLimit', () => {
    const { chart, research } = twoTenants();
    const hard = byKind(chart, 'ResourceQuota', 'research')[0].spec.hard;
    expect(hard['gpu.nvidia.com.deviceclass.resource.k8s.io/devices']).toBe(12);
    expect(Object.keys(hard).filter((k) => k.startsWith('limits.'))).toEqual([]);
    expect(hard['requests.cpu']).toBe('200');
    expect(research.gpuDemand()).toEqual({ 'gpu.nvidia.com.deviceclass.resource.k8s.io/devices': 4 });
    // LimitRange cannot see DRA claims: no GPU max, never a GPU default
    const lr = byKind(chart, 'LimitRange', 'research')[0].spec.limits;
    expect(JSON.stringify(lr)).not.toContain('gpu');
    expect(lr[0].defaultRequest).toEqual({ cpu: '250m', memory: '512Mi' });
  });

  test('DRAExtendedResource (1.36+) adds the implicit extended-resource key and the vendor\'s', () => {
    const { chart } = twoTenants({ version: KubernetesVersion.V1_36 });
    const hard = byKind(chart, 'ResourceQuota', 'research')[0].spec.hard;
    expect(hard['requests.deviceclass.resource.kubernetes.io/gpu.nvidia.com']).toBe(12);
    expect(hard['requests.nvidia.com/gpu']).toBe(12);
  });

  test('on 1.37 a workload asking for the pool\'s GPUs as the extended resource fits the tenant\'s gpuQuota entry', () => {
    const p = platform({ version: KubernetesVersion.V1_37 });
    const t = new AiTenant(p.chart, 't', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 8, borrowingLimit: 0 }] });
    new GangTrainingJob(t, 'g', {
      image: 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64),
      command: ['train.py'],
      workers: 2,
      nodePool: p.pool,
      gpusPerWorker: GpuRequest.of(4, { model: GpuModel.NVIDIA_H100_80_GB, asExtendedResource: true }),
      backend: TrainingBackend.jobSet(),
      scheduler: GangScheduler.kueue({ queue: t.queueName }),
    });
    p.app.synth();
    expect(t.gpuDemand()).toEqual({ 'requests.nvidia.com/gpu': 8 });
    expect(byKind(p.chart, 'ResourceQuota', 't')[0].spec.hard['requests.nvidia.com/gpu']).toBe(8);
  });

  test('device plugin: requests. key only and a GPU max (never a default) in the LimitRange', () => {
    const { chart } = twoTenants({ devicePlugin: true });
    const hard = byKind(chart, 'ResourceQuota', 'research')[0].spec.hard;
    expect(hard['requests.nvidia.com/gpu']).toBe(12);
    expect(hard['limits.nvidia.com/gpu']).toBeUndefined();
    const limits = byKind(chart, 'LimitRange', 'research')[0].spec.limits;
    expect(limits).toEqual([
      { type: 'Container', defaultRequest: { cpu: '250m', memory: '512Mi' }, max: { 'nvidia.com/gpu': 8 } },
      { type: 'Pod', max: { 'nvidia.com/gpu': 8 } },
    ]);
  });

  test('Kueue: ClusterQueue selects only its namespace, with cohort, limits and preemption; shared flavors once', () => {
    const { chart } = twoTenants();
    const cq = byKind(chart, 'ClusterQueue').find((o) => o.metadata.name === 'research');
    expect(cq.spec.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'research' } });
    expect(cq.spec.cohortName).toBe('cdk8s-ai');
    expect(cq.spec.resourceGroups[1].flavors[0]).toEqual({
      name: 'h100',
      resources: [{ name: 'deviceclass.resource.kubernetes.io/gpu.nvidia.com', nominalQuota: '8', borrowingLimit: '4', lendingLimit: '6' }],
    });
    const prod = byKind(chart, 'ClusterQueue').find((o) => o.metadata.name === 'prod');
    expect(prod.spec.preemption).toEqual({ reclaimWithinCohort: 'LowerPriority', withinClusterQueue: 'LowerPriority' });
    expect(prod.spec.fairSharing).toEqual({ weight: '2' });
    expect(byKind(chart, 'ResourceFlavor').map((f) => f.metadata.name)).toEqual(['cdk8s-ai-default', 'h100']);
    expect(byKind(chart, 'WorkloadPriorityClass').map((f) => `${f.metadata.name}=${f.value}`)).toEqual(
      ['research-production=1000', 'research-batch=100', 'prod-production=1000', 'prod-batch=100']);
  });

  test('default-deny plus only the declared allows; cross-namespace edges land in both tenants', () => {
    const { chart, research, prod } = twoTenants();
    allowTraffic({
      scope: research,
      name: 'eval-target',
      description: 'eval job calls the chat server',
      from: { namespace: 'research', podLabels: { app: 'eval' } },
      to: { namespace: 'prod', podLabels: { app: 'chat' } },
      ports: [{ port: 8000 }],
    });
    const names = (ns: string) => byKind(chart, 'NetworkPolicy', ns).map((p) => p.metadata.name).sort();
    expect(names('research')).toEqual(['default-deny', 'research-dns-out', 'research-eval-target-out', 'research-llm-gateway-in', 'research-llm-monitoring-metrics-in']);
    expect(names('prod')).toEqual(['default-deny', 'prod-chat-gateway-in', 'prod-chat-monitoring-metrics-in', 'prod-dns-out', 'research-eval-target-in']);
    const inbound = byKind(chart, 'NetworkPolicy', 'prod').find((p) => p.metadata.name === 'research-eval-target-in');
    expect(inbound.spec).toEqual({
      podSelector: { matchLabels: { app: 'chat' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'research' } }, podSelector: { matchLabels: { app: 'eval' } } }], ports: [{ port: 8000, protocol: 'TCP' }] }],
    });
    expect(prod.allowPolicies).toHaveLength(4);
  });

  test('RBAC: a namespaced Role and a RoleBinding to the groups only; no secrets, no exec', () => {
    const { chart } = twoTenants();
    const role = byKind(chart, 'Role', 'research')[0];
    const text = JSON.stringify(role.rules);
    expect(text).not.toContain('secrets');
    expect(text).not.toContain('pods/exec');
    expect(role.rules.find((r: any) => r.resources.includes('jobsets') && r.verbs.includes('create'))).toBeDefined();
    expect(byKind(chart, 'RoleBinding', 'research')[0].subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'research-devs' }]);
    expect(byKind(chart, 'Role', 'prod')).toEqual([]);
  });

  test('same input, same bytes', () => {
    const a = JSON.stringify(twoTenants().chart.toJson());
    const b = JSON.stringify(twoTenants().chart.toJson());
    expect(a).toBe(b);
  });
});

describe('AiTenant on the real apiserver', () => {
  test('two tenants sharing one pool through Kueue are accepted (1.34)', async () => {
    const { chart } = twoTenants();
    const results = await validateChart(chart);
    expect(results.length).toBe(chart.toJson().length);
  }, APISERVER_TIMEOUT);

  test('two tenants are accepted on 1.37 with the newer gates', async () => {
    const { chart } = twoTenants({ version: KubernetesVersion.V1_37 });
    await validateChart(chart, { environment: 'latest' });
  }, APISERVER_TIMEOUT);

  test('the restricted namespace admits the tenant workloads and rejects a privileged pod', async () => {
    const { chart, research } = twoTenants();
    await validateChart(chart);
    const privileged = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'escape', namespace: 'research' },
      spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] },
    };
    // the tenant's own Namespace object goes in the same set, so the namespace keeps its pinned labels
    await expect(validateObjects([research.namespace.toJson(), privileged])).rejects.toThrow(
      /1 of 2 object\(s\) failed[\s\S]*Pod research\/escape[\s\S]*violates PodSecurity "restricted:v1.34": privileged/);
  }, APISERVER_TIMEOUT);

  test('the device-plugin quota and GPU max are enforced by the apiserver', async () => {
    const p = platform({ devicePlugin: true });
    const tenant = new AiTenant(p.chart, 'dp', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: p.pool, gpus: 4, borrowingLimit: 2 }] });
    await validateChart(p.chart);
    const ns = tenant.namespace.toJson();
    // a `limits.` key for an extended resource is accepted by the apiserver, but (below) never enforced
    const limitsQuota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'limits-key', namespace: 'dp' }, spec: { hard: { 'limits.nvidia.com/gpu': '1' } } };
    await applyObjects([ns, tenant.resourceQuota.toJson(), tenant.limitRange.toJson(), limitsQuota]);
    // no quota controller runs in the test environment: publish status.hard/used as its first sync would
    const client = sessionFor('default').client;
    for (const q of [tenant.resourceQuota.toJson(), limitsQuota]) {
      const res = await client.request('PATCH', `/api/v1/namespaces/dp/resourcequotas/${q.metadata.name}/status`, {
        body: { status: { hard: q.spec.hard, used: Object.fromEntries(Object.keys(q.spec.hard).map((k) => [k, '0'])) } },
        contentType: MERGE_PATCH_CONTENT,
      });
      expect(res.status).toBe(200);
    }
    const pod = (gpus: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `gpu-${gpus}`, namespace: 'dp' },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{
          name: 'c',
          image: 'busybox',
          resources: { limits: { 'nvidia.com/gpu': gpus } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        }],
      },
    });
    await validateObjects([ns, pod(6)], { allowDropped: [/.*/] }); // 6 GPUs > limits.nvidia.com/gpu=1, admitted anyway
    await expect(validateObjects([ns, pod(9)])).rejects.toThrow(/maximum nvidia.com\/gpu usage per (Container|Pod) is 8/);
    await expect(validateObjects([ns, pod(7)])).rejects.toThrow(/exceeded quota: tenant-quota, requested: requests.nvidia.com\/gpu=7, used: requests.nvidia.com\/gpu=0, limited: requests.nvidia.com\/gpu=6/);
  }, APISERVER_TIMEOUT);

  test('property: 200 generated tenant configurations synthesize and pass the apiserver', async () => {
    const arbitrary = fc.record({
      maxNodes: fc.integer({ min: 1, max: 4 }),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
      replicas: fc.integer({ min: 1, max: 3 }),
      gpusPerPod: fc.integer({ min: 0, max: 2 }),
      devicePlugin: fc.boolean(),
      groups: fc.array(fc.constantFrom('ml-devs', 'ml-ops', 'oncall'), { maxLength: 2 }),
      submit: fc.boolean(),
      egress: fc.boolean(),
      reclaim: fc.constantFrom(ReclaimPolicy.ANY, ReclaimPolicy.LOWER_PRIORITY, ReclaimPolicy.NEVER),
    });
    const report = await checkProperty(arbitrary, (v) => {
      const p = platform({ devicePlugin: v.devicePlugin, maxNodes: v.maxNodes });
      const capacity = p.pool.gpuCapacity;
      const gpus = Math.floor(v.share * capacity);
      const tenant = new AiTenant(p.chart, 'team', {
        team: 'ml',
        owner: 'owner-1',
        costCenter: 'cc-1',
        groups: v.groups,
        access: v.submit ? TenantAccess.SUBMIT_JOBS : TenantAccess.VIEW,
        gpuQuota: [{ pool: p.pool, gpus }],
        egress: v.egress ? [{ name: 'hub', cidr: '203.0.113.0/24' }] : undefined,
        fairShare: { reclaimWithinCohort: v.reclaim },
      });
      new AiTenant(p.chart, 'other', { team: 'ml2', owner: 'owner-2', costCenter: 'cc-2', gpuQuota: [{ pool: p.pool, gpus: capacity - gpus }] });
      const perPod = Math.min(v.gpusPerPod, 8);
      if (perPod > 0 && perPod * v.replicas <= capacity) new GpuServer(tenant, 'srv', { pool: p.pool, gpus: perPod, replicas: v.replicas });
      return p.chart;
    }, { numRuns: 200 });
    expect(report.numRuns).toBe(200);
  }, APISERVER_TIMEOUT);
});

badInputCatalogue([
  {
    name: 'quota overcommit: workloads need more GPUs than the tenant quota',
    build: (scope) => {
      const pool = new GpuNodePool(scope, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 2 });
      const t = new AiTenant(scope, 'small', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool, gpus: 2, borrowingLimit: 0 }] });
      new GpuServer(t, 'big', { pool, gpus: 2, replicas: 2 });
    },
    error: '[bad-input/small] gpuQuota (gpu_quota): quota overcommit: the workloads bad-input/small/big (4) hold up to 4 GPUs (gpu.nvidia.com.deviceclass.resource.k8s.io/devices) but the tenant\'s quota is 2 (gpus + borrowingLimit); raise the quota or shrink the workloads',
  },
  {
    name: 'quota overcommit: guaranteed GPUs of all tenants exceed the pool',
    build: (scope) => {
      const pool = new GpuNodePool(scope, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 1 });
      new AiTenant(scope, 'a', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool, gpus: 6 }] });
      new AiTenant(scope, 'b', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool, gpus: 4 }] });
    },
    error: '[bad-input/a] gpuQuota (gpu_quota): quota overcommit: the tenants\' guaranteed GPUs on pool pool add up to 10 (a: 6, b: 4) but the pool holds 8; lower a tenant\'s gpus or grow the pool',
  },
  {
    name: 'GPU workload in a tenant without GPU quota',
    build: (scope) => {
      const pool = new GpuNodePool(scope, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8 });
      const t = new AiTenant(scope, 'cpu-only', { team: 't', owner: 'o', costCenter: 'c' });
      new GpuServer(t, 'llm', { pool, gpus: 1 });
    },
    error: 'ask for 1 GPUs counted as gpu.nvidia.com.deviceclass.resource.k8s.io/devices, but the tenant has no quota for it',
  },
  {
    name: 'tenant gpus above the pool capacity',
    build: (scope) => {
      const pool = new GpuNodePool(scope, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8 });
      new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool, gpus: 9 }] });
    },
    error: '[bad-input/t] gpuQuota[0].gpus (gpu_quota[0].gpus): got 9; expected an integer from 0 to 8',
  },
  {
    name: 'borrowing beyond the pool',
    build: (scope) => {
      const pool = new GpuNodePool(scope, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8 });
      new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool, gpus: 4, borrowingLimit: 5 }] });
    },
    error: '[bad-input/t] gpuQuota[0].borrowingLimit (gpu_quota[0].borrowing_limit): got 5; expected an integer from 0 to 4',
  },
  {
    name: 'lending more than the guaranteed GPUs',
    build: (scope) => {
      const pool = new GpuNodePool(scope, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8 });
      new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool, gpus: 4, lendingLimit: 5 }] });
    },
    error: '[bad-input/t] gpuQuota[0].lendingLimit (gpu_quota[0].lending_limit): got 5; expected an integer from 0 to 4',
  },
  {
    name: 'the same pool twice in one tenant',
    build: (scope) => {
      const pool = new GpuNodePool(scope, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8 });
      new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool, gpus: 1 }, { pool, gpus: 1 }] });
    },
    error: '[bad-input/t] gpuQuota[1].pool (gpu_quota[1].pool): got "pool"; expected each pool at most once',
  },
  {
    name: 'overlapping tenants: two tenants own one namespace',
    build: (scope) => {
      new AiTenant(scope, 'a', { namespace: 'ml', team: 't', owner: 'o', costCenter: 'c' });
      new AiTenant(scope, 'b', { namespace: 'ml', team: 't', owner: 'o', costCenter: 'c' });
    },
    error: '[bad-input/b] namespace: got "ml"; the tenant bad-input/a already owns that namespace (tenants must not overlap); give one of them another namespace',
  },
  {
    name: 'overlapping tenants: a tenant inside a tenant',
    build: (scope) => {
      const outer = new AiTenant(scope, 'outer', { team: 't', owner: 'o', costCenter: 'c' });
      new AiTenant(outer, 'inner', { team: 't', owner: 'o', costCenter: 'c' });
    },
    error: '[bad-input/outer/inner] scope: a tenant cannot be created inside another tenant (bad-input/outer); create it in a chart',
  },
  {
    name: 'namespace that is not a DNS label',
    build: (scope) => { new AiTenant(scope, 't', { namespace: 'ML_Team', team: 't', owner: 'o', costCenter: 'c' }); },
    error: '[bad-input/t] namespace: got "ML_Team"; expected a DNS-1123 label',
  },
  {
    name: 'owner that is not a label value',
    build: (scope) => { new AiTenant(scope, 't', { team: 't', owner: 'alice@example.com', costCenter: 'c' }); },
    error: '[bad-input/t] owner: got "alice@example.com"; expected a label value: 1 to 63 characters of [A-Za-z0-9-_.], starting and ending with a letter or digit',
  },
  {
    name: 'cpu quota that is not a quantity',
    build: (scope) => { new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c', cpu: 'lots' }); },
    error: '[bad-input/t] cpu: got "lots"; expected a Kubernetes quantity such as "500m", "16" or "64Gi"',
  },
  {
    name: 'unknown priority name',
    build: (scope) => { new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c' }).priorityClassName('urgent'); },
    error: '[bad-input/t] priority: got "urgent"; expected one of the tenant\'s priorities: production, batch',
  },
  {
    name: 'fair sharing without Kueue in the cluster profile',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', { addons: [] });
      new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c', fairShare: { cohort: 'x' } });
    },
    error: 'fair sharing (Kueue ClusterQueue) needs Kueue (kueue.x-k8s.io), which the ClusterProfile',
  },
  {
    name: 'agentic tenant with a pod that mounts a service-account token',
    build: (scope) => {
      const t = new AiTenant(scope, 'agents', { team: 't', owner: 'o', costCenter: 'c', agentic: true });
      const s = new GpuServer(t, 'tool', { gpus: 0, monitoring: false });
      s.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/automountServiceAccountToken', true));
    },
    error: '[bad-input/agents] agentic: Deployment agents-tool (spec.template.spec) mounts a service-account token',
  },
  {
    name: 'agentic tenant with egress to the whole internet',
    build: (scope) => { new AiTenant(scope, 'agents', { team: 't', owner: 'o', costCenter: 'c', agentic: true, egress: [{ name: 'all', cidr: '0.0.0.0/0' }] }); },
    error: '[bad-input/agents] egress[0].cidr: got "0.0.0.0/0"; expected a specific range: an agentic tenant may only reach declared endpoints',
  },
  {
    name: 'pod that restricted would reject, added through an escape hatch',
    build: (scope) => {
      const t = new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c' });
      const s = new GpuServer(t, 'srv', { gpus: 0, monitoring: false });
      s.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
    },
    error: '[bad-input/t] security: Deployment t-srv (spec.template.spec) would be rejected by the namespace\'s Pod Security "restricted": hostNetwork must be false',
  },
  {
    name: 'image not pinned under a digest admission policy',
    build: (scope) => {
      const policy = new ImageAdmissionPolicy(scope, 'pinned', {});
      const t = new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c', imageAdmission: [policy] });
      new GpuServer(t, 'srv', { gpus: 0, monitoring: false, image: 'vllm/vllm-openai:v0.11.0' });
    },
    error: 'image "vllm/vllm-openai:v0.11.0" of Deployment t-srv (spec.template.spec) breaks the admission policy pinned: not pinned by digest; the apiserver would reject it',
  },
  {
    name: 'traffic edge with an invalid port',
    build: (scope) => {
      const t = new AiTenant(scope, 't', { team: 't', owner: 'o', costCenter: 'c' });
      allowTraffic({ scope: t, name: 'x', description: 'x', from: { namespace: 't' }, to: { namespace: 'u' }, ports: [{ port: 70000 }] });
    },
    error: '[bad-input/t] traffic.ports[0].port: got 70000; expected a port number from 1 to 65535 or a container port name',
  },
], { title: 'AiTenant bad inputs' });

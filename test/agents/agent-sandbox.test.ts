/**
 * AgentSandbox (issue 19, first part): agent-sandbox SandboxTemplate and SandboxWarmPool objects whose pods run behind
 * gVisor or Kata, restricted, tokenless, read-only, with secrets only as files, and a NetworkPolicy that closes their
 * traffic to DNS, the declared model and tool endpoints and callers.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AgentSandbox, AgentSandboxProps } from '../../src/agents/agent-sandbox';
import { SandboxRuntime } from '../../src/agents/sandbox-runtime';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { requirementsOf } from '../../src/platform/ai-conformance';
import { AiTenant } from '../../src/platform/ai-tenant';
import { restrictedViolations } from '../../src/security/pod-security';
import { badInputCatalogue, validateChart } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/python-sandbox@sha256:' + 'a'.repeat(64);
const ADDONS = [...ClusterAddon.defaults(), ClusterAddon.AGENT_SANDBOX, ClusterAddon.GVISOR, ClusterAddon.KATA_CONTAINERS];

function profile(scope: Construct, addons = ADDONS, version = KubernetesVersion.V1_34): void {
  new ClusterProfile(scope, 'Cluster', { kubernetesVersion: version, addons });
}

function agentChart(extra: Partial<AgentSandboxProps> = {}, options: { tenant?: boolean; version?: KubernetesVersion } = {}): Chart {
  const app = new App();
  profile(app, ADDONS, options.version);
  const chart = new Chart(app, 'agents', { disableResourceNameHashes: true, namespace: options.tenant ? undefined : 'agents' });
  const scope = options.tenant ? new AiTenant(chart, 'agents', { team: 'agents', owner: 'o', costCenter: 'c', agentic: true }) : chart;
  new AgentSandbox(scope, 'code-exec', {
    image: IMAGE,
    runtime: SandboxRuntime.gvisor(),
    port: 8888,
    callers: { app: 'agent' },
    modelEndpoints: [{ namespace: 'serving', podLabels: { 'app.kubernetes.io/instance': 'llm' }, port: 8000 }],
    toolEndpoints: [{ cidr: '0.0.0.0/0', port: 443 }, { cidr: '203.0.113.10/32', port: 8443 }],
    secretFiles: [{ secret: { secretName: 'search-api', key: 'token' }, fileName: 'search-token' }],
    warmPool: 2,
    ...extra,
  });
  return chart;
}

const find = (chart: Chart, kind: string) => chart.toJson().filter((o: any) => o.kind === kind);

describe('AgentSandbox', () => {
  test('a SandboxTemplate whose pods run under gVisor, restricted, tokenless, read-only, with fixed resources', () => {
    const chart = agentChart();
    const [template] = find(chart, 'SandboxTemplate');
    expect(template.apiVersion).toBe('extensions.agents.x-k8s.io/v1beta1');
    expect(template.spec.networkPolicyManagement).toBe('Unmanaged');
    const pod = template.spec.podTemplate.spec;
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(restrictedViolations(pod)).toEqual([]);
    const [c] = pod.containers;
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } });
    expect(requirementsOf(template)).toContain('workload_sandboxing');
  });

  test('secrets only as read-only files of this sandbox, never as env', () => {
    const pod = find(agentChart(), 'SandboxTemplate')[0].spec.podTemplate.spec;
    expect(pod.volumes.find((v: any) => v.name === 'agent-secrets')).toEqual({
      name: 'agent-secrets',
      projected: { defaultMode: 0o440, sources: [{ secret: { name: 'search-api', items: [{ key: 'token', path: 'search-token' }] } }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'agent-secrets', mountPath: '/var/run/secrets/agent', readOnly: true });
    expect(JSON.stringify(pod.containers[0].env)).not.toContain('secretKeyRef');
  });

  test('the gVisor RuntimeClass (handler runsc) is emitted once, a warm pool keeps sandboxes ready', () => {
    const chart = agentChart();
    expect(find(chart, 'RuntimeClass')).toEqual([expect.objectContaining({ apiVersion: 'node.k8s.io/v1', metadata: expect.objectContaining({ name: 'gvisor' }), handler: 'runsc' })]);
    expect(find(chart, 'SandboxWarmPool')[0].spec).toEqual({ replicas: 2, sandboxTemplateRef: { name: 'code-exec' } });
  });

  test('Kata: the kata-deploy RuntimeClass is referenced, not emitted', () => {
    const chart = agentChart({ runtime: SandboxRuntime.kata({ shim: 'clh' }), warmPool: 0 });
    expect(find(chart, 'SandboxTemplate')[0].spec.podTemplate.spec.runtimeClassName).toBe('kata-clh');
    expect(find(chart, 'RuntimeClass')).toEqual([]);
    expect(find(chart, 'SandboxWarmPool')).toEqual([]);
  });

  test('egress closed to DNS, the model endpoint and the tools (never the metadata address); ingress only from callers', () => {
    const [policy] = find(agentChart(), 'NetworkPolicy');
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'agent' } } }], ports: [{ port: 8888, protocol: 'TCP' }] }]);
    expect(policy.spec.egress.map((r: any) => r.to[0])).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'serving' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'llm' } } },
      { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } },
      { ipBlock: { cidr: '203.0.113.10/32' } },
    ]);
  });

  test('in an agentic tenant too', () => {
    const chart = agentChart({}, { tenant: true });
    expect(find(chart, 'SandboxTemplate')[0].metadata.namespace).toBe('agents');
  });
});

describe('AgentSandbox on the real apiserver', () => {
  test.each([
    ['1.34, gVisor', {}, KubernetesVersion.V1_34, 'default'],
    ['1.37, Kata, in a tenant', { runtime: SandboxRuntime.kata() }, KubernetesVersion.V1_37, 'latest'],
  ] as const)('%s: template, warm pool, runtime class and policy are accepted', async (_name, extra, version, environment) => {
    await validateChart(agentChart(extra, { version, tenant: environment === 'latest' }), { environment });
  }, APISERVER_TIMEOUT);
});

function sandboxIn(scope: Construct, props: Partial<AgentSandboxProps>, addons = ADDONS): void {
  profile(scope, addons);
  new AgentSandbox(scope, 'sb', { image: IMAGE, runtime: SandboxRuntime.gvisor(), port: 8888, ...props });
}

badInputCatalogue([
  {
    name: 'a profile without agent-sandbox',
    build: (s) => sandboxIn(s, {}, [...ClusterAddon.defaults(), ClusterAddon.GVISOR]),
    error: 'An AgentSandbox (agent-sandbox SandboxTemplate) needs agent-sandbox (agents.x-k8s.io)',
  },
  {
    name: 'a profile without the sandbox runtime',
    build: (s) => sandboxIn(s, {}, [...ClusterAddon.defaults(), ClusterAddon.AGENT_SANDBOX]),
    error: '[bad-input/sb] runtime: gVisor needs gVisor (runsc), which the ClusterProfile "bad-input/Cluster" does not list in its addons; add ClusterAddon.GVISOR',
  },
  {
    name: 'a credential as a plain env value',
    build: (s) => sandboxIn(s, { env: { OPENAI_API_KEY: 'sk-proj-' + 'Xy'.repeat(20) } }),
    error: 'secretFiles',
  },
  {
    name: 'a secret given as a string',
    build: (s) => sandboxIn(s, { secretFiles: [{ secret: 'sk-live-abcdefghijklmnop' as any, fileName: 'key' }] }),
    error: 'secretFiles[0].secret (secret_files[0].secret): got the string',
  },
  {
    name: 'two secrets in one file',
    build: (s) => sandboxIn(s, { secretFiles: [{ secret: { secretName: 'a', key: 'k' }, fileName: 'f' }, { secret: { secretName: 'b', key: 'k' }, fileName: 'f' }] }),
    error: 'secretFiles[1].fileName (secret_files[1].file_name): got "f"; expected a file name not used by another secretFiles entry',
  },
  {
    name: 'no port',
    build: (s) => sandboxIn(s, { port: undefined }),
    error: '[bad-input/sb] port: got undefined; expected the TCP port the sandbox serves on, e.g. 8888 (it is required)',
  },
  {
    name: 'the metadata address as a tool',
    build: (s) => sandboxIn(s, { toolEndpoints: [{ cidr: '169.254.169.254/32', port: 80 }] }),
    error: 'toolEndpoints[0].cidr (tool_endpoints[0].cidr): got "169.254.169.254/32"; expected a range other than the cloud metadata address',
  },
  {
    name: 'a model endpoint without pod labels',
    build: (s) => sandboxIn(s, { modelEndpoints: [{ podLabels: {}, port: 8000 }] }),
    error: 'modelEndpoints[0].podLabels (model_endpoints[0].pod_labels): got {}; expected labels selecting the pods',
  },
  {
    name: 'a negative warm pool',
    build: (s) => sandboxIn(s, { warmPool: -1 }),
    error: 'warmPool (warm_pool): got -1; expected an integer from 0 to 1000',
  },
  {
    name: 'two gVisor runtimes of one name that disagree',
    build: (s) => {
      sandboxIn(s, {});
      new AgentSandbox(s, 'other', { image: IMAGE, runtime: SandboxRuntime.gvisor({ handler: 'runsc-kvm' }), port: 8888 });
    },
    error: 'runtime: declares the RuntimeClass gvisor as {"handler":"runsc-kvm","nodeLabels":{}}',
  },
  {
    name: 'a Kata shim that cannot name a RuntimeClass',
    build: () => SandboxRuntime.kata({ shim: 'Q EMU' }),
    error: '[SandboxRuntime.kata] options.shim: got "Q EMU"; expected a kata-deploy shim',
  },
], { title: 'AgentSandbox bad inputs' });

/**
 * AgentSandbox (issue 19): agent-sandbox SandboxTemplate and SandboxWarmPool objects whose pods run behind gVisor or
 * Kata, restricted, tokenless, read-only, with secrets only as files, a NetworkPolicy that closes their traffic to DNS,
 * the declared model and tool endpoints and callers, and SandboxClaims with a lifecycle (TTL and shutdown policy).
 */
import { App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AgentSandbox, AgentSandboxProps } from '../../src/agents/agent-sandbox';
import { SandboxShutdownPolicy } from '../../src/agents/sandbox-lifecycle';
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

interface ChartOptions { tenant?: boolean; version?: KubernetesVersion; claims?: boolean }

function agentChart(extra: Partial<AgentSandboxProps> = {}, options: ChartOptions = {}): Chart {
  const app = new App();
  profile(app, ADDONS, options.version);
  const chart = new Chart(app, 'agents', { disableResourceNameHashes: true, namespace: options.tenant ? undefined : 'agents' });
  const scope = options.tenant ? new AiTenant(chart, 'agents', { team: 'agents', owner: 'o', costCenter: 'c', agentic: true }) : chart;
  const sandbox = new AgentSandbox(scope, 'code-exec', {
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
  if (options.claims) {
    sandbox.addClaim('session-1');
    sandbox.addClaim('nightly', { shutdownTime: '2027-01-31T18:00:00+01:00', shutdownPolicy: SandboxShutdownPolicy.DELETE_FOREGROUND });
  }
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

  test('the gVisor RuntimeClass carries the pod overhead the scheduler and quotas add to each sandbox', () => {
    const chart = agentChart({ runtime: SandboxRuntime.gvisor({ podOverhead: { cpu: '250m', memory: '128Mi' } }) });
    const [runtimeClass] = find(chart, 'RuntimeClass');
    expect(runtimeClass).toMatchObject({ handler: 'runsc', overhead: { podFixed: { cpu: '250m', memory: '128Mi' } } });
    expect(find(agentChart(), 'RuntimeClass')[0].overhead).toBeUndefined();
  });

  test('workload_sandboxing is claimed by sandbox objects and sandbox RuntimeClasses, not by any runtimeClassName', () => {
    const runtimeClass = (handler: string) => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'x' }, handler });
    expect(requirementsOf(runtimeClass('runsc'))).toContain('workload_sandboxing');
    expect(requirementsOf(runtimeClass('kata-qemu'))).toContain('workload_sandboxing');
    expect(requirementsOf(runtimeClass('nvidia'))).not.toContain('workload_sandboxing');
    const gpuPod = { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { runtimeClassName: 'nvidia', containers: [{ name: 'c' }] } } } };
    expect(requirementsOf(gpuPod)).not.toContain('workload_sandboxing');
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

describe('AgentSandbox claims and their lifecycle', () => {
  const claims = (chart: Chart) => find(chart, 'SandboxClaim');

  test('a claim names the warm pool, in the sandbox\'s namespace; the sandbox\'s lifecycle is its default', () => {
    const app = new App();
    profile(app);
    const chart = new Chart(app, 'agents', { disableResourceNameHashes: true, namespace: 'agents' });
    const sandbox = new AgentSandbox(chart, 'code-exec', {
      image: IMAGE,
      runtime: SandboxRuntime.gvisor(),
      port: 8888,
      warmPool: 2,
      lifecycle: { ttlAfterFinished: Duration.minutes(10), shutdownPolicy: SandboxShutdownPolicy.DELETE },
    });
    const first = sandbox.addClaim('session-1');
    sandbox.addClaim('session-2', { ttlAfterFinished: Duration.seconds(0), name: 'eval-run' });
    sandbox.addClaim('session-3', { shutdownPolicy: SandboxShutdownPolicy.RETAIN, shutdownTime: '2027-01-31T18:00:00.5+01:00' });
    expect(sandbox.claims).toEqual([first, expect.anything(), expect.anything()]);
    expect(claims(chart).map((c: any) => ({ name: c.metadata.name, namespace: c.metadata.namespace, spec: c.spec }))).toEqual([
      { name: 'code-exec-session-1', namespace: 'agents', spec: { warmPoolRef: { name: 'code-exec' }, lifecycle: { ttlSecondsAfterFinished: 600, shutdownPolicy: 'Delete' } } },
      { name: 'eval-run', namespace: 'agents', spec: { warmPoolRef: { name: 'code-exec' }, lifecycle: { ttlSecondsAfterFinished: 0, shutdownPolicy: 'Delete' } } },
      {
        name: 'code-exec-session-3',
        namespace: 'agents',
        spec: { warmPoolRef: { name: 'code-exec' }, lifecycle: { ttlSecondsAfterFinished: 600, shutdownTime: '2027-01-31T17:00:00.500Z', shutdownPolicy: 'Retain' } },
      },
    ]);
    expect(claims(chart)[0].apiVersion).toBe('extensions.agents.x-k8s.io/v1beta1');
    expect(find(chart, 'SandboxWarmPool')).toHaveLength(1);
  });

  test('no lifecycle anywhere: the claim has none (it never expires); a lifecycle always says its policy', () => {
    const chart = agentChart({}, { claims: true });
    expect(claims(chart).map((c: any) => c.spec.lifecycle)).toEqual([
      undefined,
      { shutdownTime: '2027-01-31T17:00:00.000Z', shutdownPolicy: 'DeleteForeground' },
    ]);
  });

  test('a sandbox without a warm pool gets one of 0 replicas with its first claim (v1beta1 claims name a pool)', () => {
    const chart = agentChart({ warmPool: 0 });
    expect(find(chart, 'SandboxWarmPool')).toEqual([]);
    const withClaims = agentChart({ warmPool: undefined }, { claims: true });
    expect(find(withClaims, 'SandboxWarmPool').map((p: any) => p.spec)).toEqual([{ replicas: 0, sandboxTemplateRef: { name: 'code-exec' } }]);
    expect(claims(withClaims).map((c: any) => c.spec.warmPoolRef)).toEqual([{ name: 'code-exec' }, { name: 'code-exec' }]);
  });

  test('the same app gives the same bytes (no clock at synth)', () => {
    const yaml = () => JSON.stringify(agentChart({}, { claims: true }).toJson());
    expect(yaml()).toEqual(yaml());
  });
});

describe('AgentSandbox on the real apiserver', () => {
  test.each([
    ['1.34, gVisor, with claims', {}, KubernetesVersion.V1_34, 'default'],
    ['1.37, Kata, in a tenant, with claims', { runtime: SandboxRuntime.kata() }, KubernetesVersion.V1_37, 'latest'],
  ] as const)('%s: template, warm pool, claims, runtime class and policy are accepted', async (_name, extra, version, environment) => {
    await validateChart(agentChart(extra, { version, tenant: environment === 'latest', claims: true }), { environment });
  }, APISERVER_TIMEOUT);

  test('claims of a sandbox without a warm pool, with a TTL and each shutdown policy, are accepted', async () => {
    const app = new App();
    profile(app);
    const chart = new Chart(app, 'agents', { disableResourceNameHashes: true, namespace: 'agents' });
    const sandbox = new AgentSandbox(chart, 'code-exec', {
      image: IMAGE,
      runtime: SandboxRuntime.gvisor(),
      port: 8888,
      lifecycle: { ttlAfterFinished: Duration.hours(1) },
    });
    sandbox.addClaim('retain');
    sandbox.addClaim('delete', { shutdownPolicy: SandboxShutdownPolicy.DELETE, ttlAfterFinished: Duration.seconds(2 ** 31 - 1) });
    sandbox.addClaim('foreground', { shutdownPolicy: SandboxShutdownPolicy.DELETE_FOREGROUND, shutdownTime: '2026-12-31T23:59:59Z' });
    await validateChart(chart);
  }, APISERVER_TIMEOUT);
});

function sandboxIn(scope: Construct, props: Partial<AgentSandboxProps>, addons = ADDONS): AgentSandbox {
  profile(scope, addons);
  return new AgentSandbox(scope, 'sb', { image: IMAGE, runtime: SandboxRuntime.gvisor(), port: 8888, ...props });
}

const js = (x: unknown): any => x;

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
    name: 'a pod overhead that is not a quantity',
    build: () => SandboxRuntime.gvisor({ podOverhead: { cpu: 'lots' } }),
    error: '[SandboxRuntime.gvisor] options.podOverhead.cpu (options.pod_overhead.cpu): got "lots"; expected a Kubernetes quantity such as "250m"',
  },
  {
    name: 'a sandbox size that is not a quantity',
    build: (s) => sandboxIn(s, { memory: '2 GB' }),
    error: '[bad-input/sb] memory: got "2 GB"; expected a Kubernetes quantity such as "2Gi" or "512Mi"',
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
    name: 'a claim TTL of a fraction of a second',
    build: (s) => sandboxIn(s, {}).addClaim('session', { ttlAfterFinished: Duration.millis(1500) }),
    error: '[bad-input/sb/session] options.ttlAfterFinished (options.ttl_after_finished): got "1.5 seconds"; expected a whole number of seconds from 0 to 2147483647',
  },
  {
    name: 'a claim TTL beyond int32 seconds',
    build: (s) => sandboxIn(s, {}).addClaim('session', { ttlAfterFinished: Duration.days(24856) }),
    error: 'options.ttlAfterFinished (options.ttl_after_finished): got "2147558400 seconds"; expected a whole number of seconds from 0 to 2147483647 (int32 ttlSecondsAfterFinished)',
  },
  {
    name: 'a default TTL beyond int32 seconds',
    build: (s) => sandboxIn(s, { lifecycle: { ttlAfterFinished: Duration.seconds(2 ** 31) } }),
    error: '[bad-input/sb] lifecycle.ttlAfterFinished (lifecycle.ttl_after_finished): got "2147483648 seconds"; expected a whole number of seconds',
  },
  {
    name: 'a negative TTL (cdk8s refuses to make one; a Duration changed afterwards from JavaScript)',
    build: (s) => {
      const ttl = Duration.seconds(5);
      js(ttl).amount = -5;
      sandboxIn(s, { lifecycle: { ttlAfterFinished: ttl } });
    },
    error: '[bad-input/sb] lifecycle.ttlAfterFinished (lifecycle.ttl_after_finished): got "-5 seconds"; expected a whole number of seconds from 0 to 2147483647',
  },
  {
    name: 'a TTL given as a number of seconds',
    build: (s) => sandboxIn(s, {}).addClaim('session', { ttlAfterFinished: js(600) }),
    error: '[bad-input/sb/session] options.ttlAfterFinished (options.ttl_after_finished): got 600 (a number); expected a Duration (e.g. Duration.seconds(30))',
  },
  {
    name: 'a shutdown time without an offset (local time would differ between machines)',
    build: (s) => sandboxIn(s, {}).addClaim('session', { shutdownTime: '2027-01-31T18:00:00' }),
    error: 'options.shutdownTime (options.shutdown_time): got "2027-01-31T18:00:00"; expected an RFC 3339 date-time with an offset, e.g. "2027-01-31T18:00:00Z"',
  },
  {
    name: 'a shutdown time on a day the month does not have',
    build: (s) => sandboxIn(s, { lifecycle: { shutdownTime: '2027-02-30T00:00:00Z' } }),
    error: '[bad-input/sb] lifecycle.shutdownTime (lifecycle.shutdown_time): got "2027-02-30T00:00:00Z"; expected a real date and time of day',
  },
  {
    name: 'a shutdown time finer than milliseconds',
    build: (s) => sandboxIn(s, {}).addClaim('session', { shutdownTime: '2027-01-31T18:00:00.123456Z' }),
    error: 'got "2027-01-31T18:00:00.123456Z"; expected an RFC 3339 date-time with an offset, e.g. "2027-01-31T18:00:00Z", with at most millisecond precision',
  },
  {
    name: 'a shutdown policy given as a string',
    build: (s) => sandboxIn(s, {}).addClaim('session', { shutdownPolicy: js('Delete') }),
    error: '[bad-input/sb/session] options.shutdownPolicy (options.shutdown_policy): got "Delete" (a string); expected SandboxShutdownPolicy.RETAIN, DELETE or DELETE_FOREGROUND',
  },
  {
    name: 'two claims of one id',
    build: (s) => {
      const sb = sandboxIn(s, {});
      sb.addClaim('session');
      sb.addClaim('session');
    },
    error: '[bad-input/sb] id: got "session", which another claim or object of this AgentSandbox uses; give the claim another id',
  },
  {
    name: 'a claim id that is the warm pool\'s',
    build: (s) => sandboxIn(s, {}).addClaim('SandboxWarmPool'),
    error: '[bad-input/sb] id: got "SandboxWarmPool", which another claim or object of this AgentSandbox uses',
  },
  {
    name: 'two claims of one name',
    build: (s) => {
      const sb = sandboxIn(s, {});
      sb.addClaim('a', { name: 'session' });
      sb.addClaim('b', { name: 'session' });
    },
    error: '[bad-input/sb/b] id: the SandboxClaim name "session" is already used by bad-input/sb/a',
  },
  {
    name: 'a claim name that is no DNS label',
    build: (s) => sandboxIn(s, {}).addClaim('session', { name: 'Session_1' }),
    error: '[bad-input/sb/session] options.name: got "Session_1"; expected a DNS-1123 label',
  },
  {
    name: 'a claim without an id, from plain JavaScript',
    build: (s) => sandboxIn(s, {}).addClaim(js(null), js(null)),
    error: '[bad-input/sb] id: got null; expected a construct id such as "session-1" (it is required)',
  },
  {
    name: 'claim options that are not an object',
    build: (s) => sandboxIn(s, {}).addClaim('session', js('ttl=600')),
    error: '[bad-input/sb/session] options: got "ttl=600"; expected a SandboxClaimOptions object',
  },
  {
    name: 'a Kata shim that cannot name a RuntimeClass',
    build: () => SandboxRuntime.kata({ shim: 'Q EMU' }),
    error: '[SandboxRuntime.kata] options.shim: got "Q EMU"; expected a kata-deploy shim',
  },
], { title: 'AgentSandbox bad inputs' });

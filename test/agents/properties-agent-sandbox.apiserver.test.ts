/**
 * fast-check over AgentSandbox (issue 19): generated sandboxes (gVisor with its options or Kata with a shim, ports,
 * callers, model and tool endpoints over IPv4 and IPv6, secret files, sizes, warm pools, lifecycles and claims, alone
 * or in an agentic AiTenant, on 1.34 and 1.37) synthesize, every object passes the real apiserver with the
 * agent-sandbox CRDs installed, and the invariants the sandbox promises hold in every run: restricted pods under the
 * runtime's RuntimeClass with no token and a read-only root, egress never to the cloud metadata address, every claim
 * naming the sandbox's warm pool.
 */
import { App, Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { AgentSandbox } from '../../src/agents/agent-sandbox';
import { SandboxShutdownPolicy } from '../../src/agents/sandbox-lifecycle';
import { SandboxRuntime } from '../../src/agents/sandbox-runtime';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { AiTenant } from '../../src/platform/ai-tenant';
import { restrictedViolations } from '../../src/security/pod-security';
import { checkProperty } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/python-sandbox@sha256:' + 'b'.repeat(64);
const ADDONS = [...ClusterAddon.defaults(), ClusterAddon.AGENT_SANDBOX, ClusterAddon.GVISOR, ClusterAddon.KATA_CONTAINERS];
const POLICIES = [SandboxShutdownPolicy.RETAIN, SandboxShutdownPolicy.DELETE, SandboxShutdownPolicy.DELETE_FOREGROUND];
const METADATA = '169.254.169.254';

const labelKey = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const labelValue = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,8}[a-z0-9])?$/);
const labels = fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 3 });
const port = fc.integer({ min: 1, max: 65535 });
const cidr = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.integer({ min: 8, max: 32 })).map(([a, b, p]) => `${a}.${b}.0.0/${p < 16 ? 16 : p}`),
  fc.constantFrom('0.0.0.0/0', '::/0', '2001:db8::/32', '203.0.113.10/32'),
);
const runtime = fc.oneof(
  fc.record({
    kind: fc.constant('gvisor'),
    handler: fc.constantFrom(undefined, 'runsc', 'runsc-kvm'),
    nodeLabels: fc.option(labels, { nil: undefined }),
    podOverhead: fc.option(fc.record({ cpu: fc.constantFrom(undefined, '100m', '0.25'), memory: fc.constantFrom(undefined, '64Mi', '1e8') }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('kata'), shim: fc.constantFrom(undefined, 'qemu', 'clh', 'fc') }),
);
const lifecycle = fc.record({
  ttlSeconds: fc.option(fc.integer({ min: 0, max: 86_400 }), { nil: undefined }),
  shutdownTime: fc.option(fc.constantFrom('2027-01-31T18:00:00+01:00', '2030-06-01T00:00:00Z', '2027-03-01T12:30:15.250-05:00'), { nil: undefined }),
  policy: fc.option(fc.integer({ min: 0, max: POLICIES.length - 1 }), { nil: undefined }),
});

const sandboxArb = fc.record({
  runtime,
  port,
  callers: fc.option(labels, { nil: undefined }),
  models: fc.array(fc.record({ namespace: fc.option(fc.constantFrom('serving', 'llm'), { nil: undefined }), podLabels: labels, port }), { maxLength: 3 }),
  tools: fc.array(fc.record({ cidr, port }), { maxLength: 3 }),
  secretFiles: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), { maxLength: 3 }),
  cpu: fc.constantFrom(undefined, '500m', '2'),
  memory: fc.constantFrom(undefined, '512Mi', '4Gi'),
  warmPool: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  lifecycle: fc.option(lifecycle, { nil: undefined }),
  claims: fc.array(lifecycle, { maxLength: 3 }),
  tenant: fc.boolean(),
  latest: fc.boolean(),
});
type SandboxValue = typeof sandboxArb extends fc.Arbitrary<infer T> ? T : never;

function lifecycleOf(l: SandboxValue['claims'][number]) {
  return {
    ttlAfterFinished: l.ttlSeconds === undefined ? undefined : Duration.seconds(l.ttlSeconds),
    shutdownTime: l.shutdownTime,
    shutdownPolicy: l.policy === undefined ? undefined : POLICIES[l.policy],
  };
}

function build(v: SandboxValue): Chart {
  const app = new App();
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: v.latest ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34, addons: ADDONS });
  const chart = new Chart(app, 'agents', { disableResourceNameHashes: true, namespace: v.tenant ? undefined : 'agents' });
  const scope = v.tenant ? new AiTenant(chart, 'agents', { team: 'agents', owner: 'o', costCenter: 'c', agentic: true }) : chart;
  const sandbox = new AgentSandbox(scope, 'sandbox', {
    image: IMAGE,
    runtime: v.runtime.kind === 'gvisor'
      ? SandboxRuntime.gvisor({ handler: v.runtime.handler, nodeLabels: v.runtime.nodeLabels, podOverhead: v.runtime.podOverhead })
      : SandboxRuntime.kata({ shim: v.runtime.shim }),
    port: v.port,
    callers: v.callers,
    modelEndpoints: v.models,
    toolEndpoints: v.tools,
    secretFiles: v.secretFiles.map((fileName, i) => ({ secret: { secretName: `tool-${i}`, key: 'token' }, fileName })),
    cpu: v.cpu,
    memory: v.memory,
    warmPool: v.warmPool,
    lifecycle: v.lifecycle && lifecycleOf(v.lifecycle),
  });
  v.claims.forEach((c, i) => sandbox.addClaim(`claim-${i}`, lifecycleOf(c)));
  checkInvariants(chart, v);
  return chart;
}

function checkInvariants(chart: Chart, v: SandboxValue): void {
  const objects = chart.toJson();
  const fail = (what: string) => { throw new Error(`invariant broken: ${what}`); };
  const [template] = objects.filter((o: any) => o.kind === 'SandboxTemplate');
  const pod = template.spec.podTemplate.spec;
  const violations = restrictedViolations(pod);
  if (violations.length) fail(`the sandbox pod breaks restricted: ${violations.join('; ')}`);
  if (pod.automountServiceAccountToken !== false) fail('the sandbox pod mounts a service-account token');
  if (!pod.runtimeClassName) fail('no runtimeClassName');
  if (pod.containers.some((c: any) => c.securityContext?.readOnlyRootFilesystem !== true)) fail('a writable root filesystem');
  const egress = objects.filter((o: any) => o.kind === 'NetworkPolicy').flatMap((p: any) => p.spec.egress ?? []);
  for (const rule of egress) {
    for (const peer of rule.to ?? []) {
      const block = peer.ipBlock;
      if (block && block.cidr.includes('.') && cidrHolds(block.cidr, METADATA) && !(block.except ?? []).some((e: string) => cidrHolds(e, METADATA))) {
        fail(`egress to ${block.cidr} lets the sandbox reach the metadata address`);
      }
    }
  }
  const pools = objects.filter((o: any) => o.kind === 'SandboxWarmPool').map((o: any) => o.metadata.name);
  const claims = objects.filter((o: any) => o.kind === 'SandboxClaim');
  if (claims.length !== v.claims.length) fail(`${claims.length} claims for ${v.claims.length} declared`);
  for (const claim of claims) {
    if (!pools.includes(claim.spec.warmPoolRef?.name)) fail(`claim ${claim.metadata.name} names no emitted warm pool`);
  }
}

/** Whether an IPv4 CIDR contains an address. */
function cidrHolds(range: string, address: string): boolean {
  const [base, bits] = range.split('/');
  const n = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(address) / size) === Math.floor(n(base) / size);
}

describe('fast-check: generated AgentSandboxes on the real apiserver', () => {
  test.each([['default', false], ['latest', true]] as const)('200 generated sandboxes on %s', async (environment, latest) => {
    const report = await checkProperty(sandboxArb.map((v) => ({ ...v, latest })), build, { numRuns: 200, environment });
    console.log(`[agent-sandbox properties ${environment}] ${JSON.stringify(report)}`);
    expect(report.numRuns).toBe(200);
    expect(report.objects).toBeGreaterThanOrEqual(200 * 3);
  }, APISERVER_TIMEOUT);

  test('the invariant check bites: a policy open to 0.0.0.0/0 without the metadata exception is refused', () => {
    expect(cidrHolds('0.0.0.0/0', METADATA)).toBe(true);
    expect(cidrHolds('169.254.0.0/16', METADATA)).toBe(true);
    expect(cidrHolds('10.0.0.0/8', METADATA)).toBe(false);
  });
});

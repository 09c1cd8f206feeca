/**
 * An AgentSandbox with the real agent-sandbox controller (v0.5.6, its extensions controllers) on the simulated
 * cluster (issue 19): the warm pool's sandboxes become pods that carry the gVisor RuntimeClass, which admission turns
 * into the runtime's node selector, so they run only on the nodes that have the runtime; a claim, as an agent makes
 * one, takes a warm sandbox; the claims the app declares bind (warm, or cold from a pool of 0) and end by their
 * lifecycle: Delete removes claim and sandbox a TTL after the sandbox finished, Retain keeps the claim, expired, and
 * removes its sandbox, and a shutdown time already past expires a claim at once.
 */
import { App, Chart, Duration } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { GITOPS_MANAGER, isReady } from './expectations';
import { AgentSandbox, ClusterAddon, ClusterProfile, KubernetesVersion, SandboxRuntime, SandboxShutdownPolicy } from '../../src';

const SIM_TIMEOUT = 600_000;
const NS = 'agents';
const RUNTIME_LABEL = { 'sandbox.example.com/runtime': 'gvisor' };
const IMAGE = 'ghcr.io/acme/python-sandbox@sha256:' + 'a'.repeat(64);
const CLAIM_API = 'extensions.agents.x-k8s.io/v1beta1';
const SANDBOX_API = 'agents.x-k8s.io/v1beta1';
const TTL_SECONDS = 5;

function sandboxApp(): SynthesizedApp {
  const app = new App();
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: KubernetesVersion.V1_34,
    addons: [...ClusterAddon.defaults(), ClusterAddon.AGENT_SANDBOX, ClusterAddon.GVISOR],
  });
  const chart = new Chart(app, NS, { disableResourceNameHashes: true, namespace: NS });
  const codeExec = new AgentSandbox(chart, 'code-exec', {
    image: IMAGE,
    runtime: SandboxRuntime.gvisor({ nodeLabels: RUNTIME_LABEL }),
    port: 8888,
    callers: { app: 'agent' },
    warmPool: 2,
    lifecycle: { ttlAfterFinished: Duration.seconds(TTL_SECONDS), shutdownPolicy: SandboxShutdownPolicy.DELETE },
  });
  codeExec.addClaim('session-delete');
  codeExec.addClaim('session-retain', { shutdownPolicy: SandboxShutdownPolicy.RETAIN });
  // No warm pool: its claims name a pool of 0 replicas and start cold.
  const notebook = new AgentSandbox(chart, 'notebook', { image: IMAGE, runtime: SandboxRuntime.gvisor({ nodeLabels: RUNTIME_LABEL }), port: 8888 });
  notebook.addClaim('cold');
  notebook.addClaim('too-late', { shutdownTime: '2020-01-01T00:00:00Z' });
  return synthesize(app);
}

/** A claim's Ready condition. */
const ready = (claim: any) => (claim?.status?.conditions ?? []).find((c: any) => c.type === 'Ready');

/** The pod of a sandbox: adopted from the warm pool (annotated), or named after it. */
async function podOf(cluster: SimCluster, sandbox: any): Promise<any> {
  const name = sandbox.metadata.annotations?.['agents.x-k8s.io/pod-name'] || sandbox.metadata.name;
  return cluster.api.get('v1', 'Pod', name, NS);
}

/** What the kubelet reports when it evicts a pod (node pressure): the pod fails as a whole, so its sandbox finishes. */
async function evict(cluster: SimCluster, pod: any): Promise<void> {
  const now = new Date().toISOString();
  await cluster.api.patchStatus('v1', 'Pod', pod.metadata.name, NS, {
    phase: 'Failed',
    reason: 'Evicted',
    message: 'The node was low on resource: memory.',
    conditions: [{ type: 'Ready', status: 'False', reason: 'PodFailed', lastTransitionTime: now }],
  });
}

describe('an AgentSandbox with the real agent-sandbox controller', () => {
  let cluster: SimCluster;
  const out = sandboxApp();

  const claims = out.objects.filter((o) => o.kind === 'SandboxClaim');
  let warmSandboxes: string[] = [];

  beforeAll(async () => {
    cluster = await SimCluster.start({ pools: [], agentSandbox: true, labelledNodes: { count: 2, labels: RUNTIME_LABEL } });
    await cluster.api.createNamespace(NS);
    // The claims come later, as sessions start.
    await cluster.api.applyAll(out.objects.filter((o) => o.kind !== 'SandboxClaim'), GITOPS_MANAGER);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('the warm pool\'s sandboxes run under the gVisor RuntimeClass, only on the nodes that have it', async () => {
    let pods: any[] = [];
    await cluster.waitFor('two warm sandbox pods Ready', async () => {
      pods = await cluster.api.list('v1', 'Pod', NS, 'app.kubernetes.io/instance=code-exec');
      return (pods.length === 2 && pods.every(isReady)) || `${pods.length} pod(s): ${pods.map((p) => p.status?.phase).join(', ')}`;
    }, 120_000);
    expect(pods.map((p) => ({
      runtimeClassName: p.spec.runtimeClassName,
      nodeSelector: p.spec.nodeSelector,
      onRuntimeNode: String(p.spec.nodeName).startsWith('labelled-'),
      token: p.spec.automountServiceAccountToken,
      readOnlyRoot: p.spec.containers[0].securityContext.readOnlyRootFilesystem,
    }))).toEqual([0, 1].map(() => ({
      runtimeClassName: 'gvisor', nodeSelector: RUNTIME_LABEL, onRuntimeNode: true, token: false, readOnlyRoot: true,
    })));
    const sandboxes = await cluster.api.list(SANDBOX_API, 'Sandbox', NS);
    expect(sandboxes).toHaveLength(2);
    warmSandboxes = sandboxes.map((s) => s.metadata.name);
  }, SIM_TIMEOUT);

  test('a claim, as an agent makes one, takes a ready sandbox of the template', async () => {
    const claim = {
      apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
      kind: 'SandboxClaim',
      metadata: { name: 'session-1', namespace: NS },
      spec: { warmPoolRef: { name: 'code-exec' } },
    };
    await cluster.api.applyAll([claim], 'agent');
    let status: any;
    await cluster.waitFor('the claim bound to a sandbox', async () => {
      status = (await cluster.api.get(CLAIM_API, 'SandboxClaim', 'session-1', NS))?.status;
      return status?.sandbox?.name ? true : JSON.stringify(status ?? {});
    }, 120_000);
    const sandbox = await cluster.api.get(SANDBOX_API, 'Sandbox', status.sandbox.name, NS);
    expect(sandbox.spec.podTemplate.spec.runtimeClassName).toBe('gvisor');
    expect(warmSandboxes).toContain(sandbox.metadata.name);
  }, SIM_TIMEOUT);

  test('the app\'s claims bind: to warm sandboxes of the pool, or to one started cold from a pool of 0', async () => {
    expect(claims.map((c) => c.metadata.name)).toEqual(['code-exec-session-delete', 'code-exec-session-retain', 'notebook-cold', 'notebook-too-late']);
    await cluster.api.applyAll(claims, GITOPS_MANAGER);
    const bound: Record<string, any> = {};
    for (const name of ['code-exec-session-delete', 'code-exec-session-retain', 'notebook-cold']) {
      await cluster.waitFor(`the claim ${name} bound to a Ready sandbox`, async () => {
        const claim = await cluster.api.get(CLAIM_API, 'SandboxClaim', name, NS);
        const sandbox = claim?.status?.sandbox?.name ? await cluster.api.get(SANDBOX_API, 'Sandbox', claim.status.sandbox.name, NS) : undefined;
        const pod = sandbox ? await podOf(cluster, sandbox) : undefined;
        bound[name] = { sandbox, pod };
        return (pod && isReady(pod)) || `claim ${JSON.stringify(claim?.status ?? {})}, pod ${pod?.status?.phase}`;
      }, 120_000);
    }
    expect(Object.entries(bound).map(([name, { sandbox, pod }]) => ({
      name,
      launch: sandbox.metadata.labels?.['agents.x-k8s.io/launch-type'],
      // A warm sandbox is the pool's (named after it); a cold one is named after its claim.
      sandbox: sandbox.metadata.name === name ? 'named after the claim' : sandbox.metadata.name.replace(/-[a-z0-9]{5}$/, '-<pool suffix>'),
      runtimeClassName: pod.spec.runtimeClassName,
      onRuntimeNode: String(pod.spec.nodeName).startsWith('labelled-'),
    }))).toEqual([
      { name: 'code-exec-session-delete', launch: 'warm', sandbox: 'code-exec-<pool suffix>', runtimeClassName: 'gvisor', onRuntimeNode: true },
      { name: 'code-exec-session-retain', launch: 'warm', sandbox: 'code-exec-<pool suffix>', runtimeClassName: 'gvisor', onRuntimeNode: true },
      { name: 'notebook-cold', launch: 'cold', sandbox: 'named after the claim', runtimeClassName: 'gvisor', onRuntimeNode: true },
    ]);
  }, SIM_TIMEOUT);

  test('a shutdown time already past expires the claim at once (Retain: it stays, without a sandbox)', async () => {
    let claim: any;
    await cluster.waitFor('notebook-too-late expired', async () => {
      claim = await cluster.api.get(CLAIM_API, 'SandboxClaim', 'notebook-too-late', NS);
      return ready(claim)?.reason === 'ClaimExpired' || JSON.stringify(claim?.status ?? {});
    }, 60_000);
    expect(ready(claim).status).toBe('False');
    expect(claim.status.sandbox?.name ?? '').toBe('');
    expect(await cluster.api.get(SANDBOX_API, 'Sandbox', 'notebook-too-late', NS)).toBeUndefined();
  }, SIM_TIMEOUT);

  test.each([
    ['Delete', 'code-exec-session-delete'],
    ['Retain', 'code-exec-session-retain'],
  ])('%s: the TTL after the sandbox finished (its pod evicted) ends the claim\'s sandbox', async (policy, name) => {
    const before = await cluster.api.get(CLAIM_API, 'SandboxClaim', name, NS);
    const sandboxName = before.status.sandbox.name;
    const pod = await podOf(cluster, await cluster.api.get(SANDBOX_API, 'Sandbox', sandboxName, NS));
    await evict(cluster, pod);
    const evicted = Date.now();
    await cluster.waitFor(`the claim ${name} sees its sandbox finished`, async () => {
      const claim = await cluster.api.get(CLAIM_API, 'SandboxClaim', name, NS);
      const finished = (claim?.status?.conditions ?? []).find((c: any) => c.type === 'Finished');
      return !claim || finished?.status === 'True' || JSON.stringify(claim.status);
    }, 60_000);
    await cluster.waitFor(`the sandbox of ${name} deleted`, async () => {
      const sandbox = await cluster.api.get(SANDBOX_API, 'Sandbox', sandboxName, NS);
      return !sandbox || `Sandbox ${sandboxName} still there (${sandbox.metadata.deletionTimestamp ? 'deleting' : 'live'})`;
    }, 60_000);
    const elapsed = Date.now() - evicted;
    const after = await cluster.api.get(CLAIM_API, 'SandboxClaim', name, NS);
    if (policy === 'Delete') {
      expect(after).toBeUndefined();
    } else {
      expect({ exists: !!after, ready: ready(after)?.status, reason: ready(after)?.reason }).toEqual({ exists: true, ready: 'False', reason: 'ClaimExpired' });
    }
    // The TTL counts from the Finished condition's lastTransitionTime, which has whole seconds.
    expect(elapsed).toBeGreaterThanOrEqual((TTL_SECONDS - 1) * 1000);
    process.stdout.write(`${policy}: sandbox ${sandboxName} gone ${elapsed} ms after its pod was evicted (TTL ${TTL_SECONDS} s)\n`);
  }, SIM_TIMEOUT);
});

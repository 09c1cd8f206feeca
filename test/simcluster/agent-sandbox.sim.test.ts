/**
 * An AgentSandbox with the real agent-sandbox controller (v0.5.6, its extensions controllers) on the simulated
 * cluster (issue 19): the warm pool's sandboxes become pods that carry the gVisor RuntimeClass, which admission turns
 * into the runtime's node selector, so they run only on the nodes that have the runtime; a claim, as an agent makes
 * one, takes a warm sandbox.
 */
import { App, Chart } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { GITOPS_MANAGER, isReady } from './expectations';
import { AgentSandbox, ClusterAddon, ClusterProfile, KubernetesVersion, SandboxRuntime } from '../../src';

const SIM_TIMEOUT = 600_000;
const NS = 'agents';
const RUNTIME_LABEL = { 'sandbox.example.com/runtime': 'gvisor' };
const IMAGE = 'ghcr.io/acme/python-sandbox@sha256:' + 'a'.repeat(64);

function sandboxApp(): SynthesizedApp {
  const app = new App();
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: KubernetesVersion.V1_34,
    addons: [...ClusterAddon.defaults(), ClusterAddon.AGENT_SANDBOX, ClusterAddon.GVISOR],
  });
  const chart = new Chart(app, NS, { disableResourceNameHashes: true, namespace: NS });
  new AgentSandbox(chart, 'code-exec', {
    image: IMAGE,
    runtime: SandboxRuntime.gvisor({ nodeLabels: RUNTIME_LABEL }),
    port: 8888,
    callers: { app: 'agent' },
    warmPool: 2,
  });
  return synthesize(app);
}

describe('an AgentSandbox with the real agent-sandbox controller', () => {
  let cluster: SimCluster;
  const out = sandboxApp();

  beforeAll(async () => {
    cluster = await SimCluster.start({ pools: [], agentSandbox: true, labelledNodes: { count: 2, labels: RUNTIME_LABEL } });
    await cluster.api.createNamespace(NS);
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
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
    const sandboxes = await cluster.api.list('agents.x-k8s.io/v1beta1', 'Sandbox', NS);
    expect(sandboxes).toHaveLength(2);
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
      status = (await cluster.api.get('extensions.agents.x-k8s.io/v1beta1', 'SandboxClaim', 'session-1', NS))?.status;
      return status?.sandbox?.name ? true : JSON.stringify(status ?? {});
    }, 120_000);
    const sandbox = await cluster.api.get('agents.x-k8s.io/v1beta1', 'Sandbox', status.sandbox.name, NS);
    expect(sandbox.spec.podTemplate.spec.runtimeClassName).toBe('gvisor');
  }, SIM_TIMEOUT);
});

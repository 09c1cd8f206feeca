// Bad-input catalogue for issue 17, class 5 (dangerous or invalid YAML that used to be accepted) and class 6
// (messages in the caller's language). Each row asserts the full error text and that no file was written.
import { App, Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { EvalDelivery, EvalGate, EvalSuite, EvalThreshold } from '../../src/evals';
import { AiTenant } from '../../src/platform/ai-tenant';
import { InferenceRoute } from '../../src/serving/inference-route';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { ALL_ADDONS } from '../evals/fixtures';
import { BadInputRow, badInputCatalogue } from '../harness';

const HF = ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct');
const tenant = (ns?: string, id = 'team') => (s: Construct) => new AiTenant(s, id, { team: 't', owner: 'o', costCenter: 'c', namespace: ns });
const svc = (s: Construct, id = 'llm') => new InferenceService(s, id, { model: HF, gpus: GpuRequest.of(1) });
const SYSTEM = (ns: string, reason: string) => `[bad-input/team] namespace: got "${ns}"; "${ns}" ${reason}, and a tenant's default-deny ` +
  'NetworkPolicy and restricted Pod Security would break the cluster there (cluster DNS, node leases, add-on controllers); expected a ' +
  'namespace of the tenant\'s own, such as "team-a"';
const selector = (expr: string) => (s: Construct) => new InferenceService(s, 'llm', { model: HF, gpus: GpuRequest.of(1, { extraSelectors: [expr] }) });
const CEL = (expr: string, why: string) => `[bad-input/llm] gpus.extraSelectors[0] (gpus.extra_selectors[0]): got ${JSON.stringify(expr)}; expected a ` +
  `valid CEL device selector of type bool (${why}), such as "device.attributes['gpu.nvidia.com'].index < 4"`;
const threshold = (t: EvalThreshold) => (s: Construct) => {
  new ClusterProfile(s, 'Cluster', { addons: ALL_ADDONS });
  const target = new InferenceService(s, 'llm', { model: HF, gpus: GpuRequest.of(1), route: { gateway: 'inference-gateway' } });
  new EvalGate(s, 'gate', { target, suite: EvalSuite.lmEvalHarness({ tasks: ['wikitext'] }), thresholds: [t], delivery: EvalDelivery.argoCd() });
};
const pool = (gpu: GpuModel, gpusPerNode: number) => (s: Construct) => new GpuNodePool(s, 'pool', { gpu, gpusPerNode, maxNodes: 2 });

const ROWS: BadInputRow[] = [
  // An AiTenant on a system namespace would default-deny cluster DNS, node leases or an add-on.
  { name: 'tenant on kube-system', build: tenant('kube-system'), error: SYSTEM('kube-system', 'is a Kubernetes system namespace') },
  { name: 'tenant on kube-public', build: tenant('kube-public'), error: SYSTEM('kube-public', 'is a Kubernetes system namespace') },
  { name: 'tenant on kube-node-lease', build: tenant('kube-node-lease'), error: SYSTEM('kube-node-lease', 'is a Kubernetes system namespace') },
  { name: 'tenant on default', build: tenant('default'), error: SYSTEM('default', 'is a Kubernetes system namespace') },
  { name: 'tenant on another kube- namespace', build: tenant('kube-flannel'), error: SYSTEM('kube-flannel', 'is in the kube- prefix Kubernetes reserves for itself') },
  {
    name: 'tenant on an add-on namespace',
    build: tenant('kueue-system'),
    error: SYSTEM('kueue-system', 'is the namespace of a cluster add-on (the -system convention: kueue-system, jobset-system, ...)'),
  },
  {
    name: 'tenant whose id names a system namespace',
    build: tenant(undefined, 'default'),
    error: '[bad-input/default] id: got "default"; "default" is a Kubernetes system namespace, and a tenant\'s default-deny NetworkPolicy ' +
      'and restricted Pod Security would break the cluster there (cluster DNS, node leases, add-on controllers); expected a namespace of the ' +
      'tenant\'s own, such as "team-a" (the id names the namespace unless namespace is set)',
  },
  // A route backend that is not in this App's output.
  {
    name: 'route backend of another App',
    build: (s) => {
      const other = svc(new Chart(new App({ outdir: '/nonexistent-cdk8s-ai' }), 'elsewhere'));
      new InferenceRoute(s, 'chat', { gateway: 'inference-gateway', backends: [{ service: other }] });
    },
    error: '[bad-input/chat] backends: got the InferenceService elsewhere/llm, which belongs to another App; each App writes its own YAML, ' +
      'so this App would reference objects it does not emit; expected the InferenceService created in the same App as bad-input/chat',
  },
  {
    name: 'route backend removed from the tree',
    build: (s) => {
      const a = svc(s, 'a');
      new InferenceRoute(s, 'chat', { gateway: 'inference-gateway', backends: [{ service: a, weight: 50 }, { service: svc(s, 'b'), weight: 50 }] });
      s.node.tryRemoveChild('a');
    },
    error: '[bad-input/chat] backends: got the InferenceService bad-input/a, which was removed from the construct tree after the route ' +
      'referenced it, so the route would point at an InferencePool that is not synthesized; expected services still in the App (remove it from the route too)',
  },
  // A quota on a pool of another App.
  {
    name: 'tenant quota on a pool of another App',
    build: (s) => {
      const other = new GpuNodePool(new Chart(new App({ outdir: '/nonexistent-cdk8s-ai' }), 'elsewhere'), 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 1 });
      new AiTenant(s, 'team', { team: 't', owner: 'o', costCenter: 'c', gpuQuota: [{ pool: other, gpus: 4 }] });
    },
    error: '[bad-input/team] gpuQuota[0].pool (gpu_quota[0].pool): got the GpuNodePool elsewhere/pool, which belongs to another App; each App ' +
      'writes its own YAML, so this App would reference objects it does not emit; expected the GpuNodePool created in the same App as bad-input/team',
  },
  // A second ClusterProfile in the same scope used to be silently ignored.
  {
    name: 'second, contradictory ClusterProfile',
    build: (s) => {
      new ClusterProfile(s, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_34 });
      new ClusterProfile(s, 'Cluster2', { kubernetesVersion: KubernetesVersion.V1_37 });
    },
    error: '[bad-input/Cluster2] scope: bad-input already has the ClusterProfile bad-input/Cluster; constructs use the first one they find, so ' +
      'this one would be silently ignored; expected one ClusterProfile per scope (change the first one, or declare this one in the chart it applies to)',
  },
  // DRA claims on a cluster whose DRA gate is off.
  {
    name: 'DynamicResourceAllocation gate off with DRA allocation',
    build: (s) => new ClusterProfile(s, 'Cluster', { featureGates: { DynamicResourceAllocation: false } }),
    error: '[bad-input/Cluster] featureGates.DynamicResourceAllocation (feature_gates.DynamicResourceAllocation): got false, but ' +
      'gpuAllocation (gpu_allocation): GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION (the default) makes every GPU workload emit ResourceClaims ' +
      'the cluster cannot serve; expected the gate on, or gpuAllocation (gpu_allocation): GpuAllocation.DEVICE_PLUGIN for a cluster without DRA',
  },
  // Invalid CEL in extraSelectors (parsed and type-checked against the DRA `device` environment at synth).
  { name: 'CEL: dangling operator', build: selector("device.attributes['gpu.nvidia.com'].index <"), error: CEL("device.attributes['gpu.nvidia.com'].index <", 'at 43: Unexpected token: EOF') },
  { name: 'CEL: unbalanced parenthesis', build: selector("has(device.attributes['gpu.nvidia.com'].index"), error: CEL("has(device.attributes['gpu.nvidia.com'].index", 'at 45: Expected RPAREN, got EOF') },
  { name: 'CEL: unterminated string', build: selector("device.driver == 'gpu.nvidia.com"), error: CEL("device.driver == 'gpu.nvidia.com", 'at 17: Unterminated string') },
  { name: 'CEL: two operands without an operator', build: selector('device.driver device.index'), error: CEL('device.driver device.index', 'at 14: unexpected "device"') },
  { name: 'CEL: JavaScript operator', build: selector("device.driver === 'x'"), error: CEL("device.driver === 'x'", 'at 16: Unexpected character: =') },
  { name: 'CEL: reserved word', build: selector('if device.index > 0'), error: CEL('if device.index > 0', 'at 0: Reserved identifier: if') },
  { name: 'CEL: a string, not a bool', build: selector('device.driver'), error: CEL('device.driver', 'evaluates to string, not bool or dyn') },
  {
    name: 'CEL: a quantity compared with an int',
    build: selector("device.capacity['gpu.nvidia.com'].memory > 5"),
    error: CEL("device.capacity['gpu.nvidia.com'].memory > 5", 'at 0: no such overload: kubernetes.Quantity > int'),
  },
  {
    name: 'CEL: a quantity compared with a string',
    build: selector("device.capacity['gpu.nvidia.com'].memory.compareTo('40Gi') >= 0"),
    error: CEL("device.capacity['gpu.nvidia.com'].memory.compareTo('40Gi') >= 0", 'at 0: found no matching overload for "kubernetes.Quantity.compareTo(string)"'),
  },
  {
    name: 'CEL: a function the apiserver does not have',
    build: selector("device.attributes['gpu.nvidia.com'].productName.noSuchFunction()"),
    error: CEL("device.attributes['gpu.nvidia.com'].productName.noSuchFunction()", 'at 0: found no matching overload for "dyn.noSuchFunction()"'),
  },
  { name: 'CEL: a field the device does not have', build: selector("device.name == 'gpu-0'"), error: CEL("device.name == 'gpu-0'", 'at 7: No such key: name') },
  // A threshold below a metric's floor never passes (atMost) or always does (atLeast).
  {
    name: 'atMost below zero on a non-negative metric',
    build: threshold(EvalThreshold.atMost('wikitext', 'bits_per_byte', -1)),
    error: '[bad-input/gate] thresholds[0].value: got -1; expected a value of at least 0: bits_per_byte is never below 0, so this threshold can never pass',
  },
  {
    name: 'atMost perplexity below 1',
    build: threshold(EvalThreshold.atMost('wikitext', 'word_perplexity', 0.5)),
    error: '[bad-input/gate] thresholds[0].value: got 0.5; expected a value of at least 1: word_perplexity is never below 1, so this threshold can never pass',
  },
  {
    name: 'atLeast below zero on a non-negative metric',
    build: threshold(EvalThreshold.atLeast('wmt16', 'bleu', -5)),
    error: '[bad-input/gate] thresholds[0].value: got -5; expected a value of at least 0: bleu is never below 0, so this threshold always passes',
  },
  // GPUs per node beyond what the model's baseboard holds (only where the catalogue knows it).
  {
    name: '9 GPUs per node of an 8-GPU B200 board',
    build: pool(GpuModel.NVIDIA_B200, 9),
    error: '[bad-input/pool] gpusPerNode (gpus_per_node): got 9; expected at most 8: a node holds at most 8 nvidia-b200 GPUs (GpuModel ' +
      'maxGpusPerNode), so the pool would promise capacity no node has',
  },
  {
    name: '8 GPUs per node of a 4-GPU GB200 tray',
    build: pool(GpuModel.NVIDIA_GB200, 8),
    error: '[bad-input/pool] gpusPerNode (gpus_per_node): got 8; expected at most 4: a node holds at most 4 nvidia-gb200 GPUs',
  },
  { name: '16 MI300X per node', build: pool(GpuModel.AMD_MI300_X, 16), error: '[bad-input/pool] gpusPerNode (gpus_per_node): got 16; expected at most 8' },
  {
    name: 'custom model with a per-node maximum',
    build: pool(GpuModel.custom({ id: 'acme-x1', productNames: ['ACME X1'], memoryGib: 64, maxGpusPerNode: 2 }), 4),
    error: '[bad-input/pool] gpusPerNode (gpus_per_node): got 4; expected at most 2: a node holds at most 2 acme-x1 GPUs',
  },
  {
    name: 'custom model maxGpusPerNode not an integer',
    build: () => GpuModel.custom({ id: 'acme-x1', productNames: ['ACME X1'], memoryGib: 64, maxGpusPerNode: 0 }),
    error: '[GpuModel.custom] maxGpusPerNode (max_gpus_per_node): got 0; expected an integer from 1 to 64',
  },
  // Two eval gates on a route's only backend would race to hold and release it.
  {
    name: 'two eval gates on a route\'s only backend',
    build: (s) => {
      new ClusterProfile(s, 'Cluster', { addons: ALL_ADDONS });
      const target = new InferenceService(s, 'llm', { model: HF, gpus: GpuRequest.of(1), route: { gateway: 'inference-gateway' } });
      const gate = (id: string) => new EvalGate(s, id, {
        target,
        suite: EvalSuite.lmEvalHarness({ tasks: ['gsm8k'] }),
        thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match', 0.7)],
        delivery: EvalDelivery.argoCd(),
      });
      gate('gate');
      gate('gate2');
    },
    error: '[bad-input/gate2] target: got bad-input/llm, the only backend of bad-input/llm/Route, which the EvalGate bad-input/gate ' +
      'already gates; with no stable backend beside it, two gates would each hold and release all of the rule\'s traffic on their own ' +
      'verdict; expected one EvalGate on it (put all thresholds and suites\' tasks in that gate), or a canary route with a stable backend',
  },
  // Class 6: factory names in both spellings.
  {
    name: 'factory named in both spellings in the path',
    build: () => GpuRequest.firstAvailable(42 as any),
    error: '[GpuRequest.firstAvailable (first_available)] alternatives: got 42 (a number); expected a list of GpuRequest.of(...) or ' +
      'GpuRequest.mig(...)',
  },
  {
    name: 'memory share message names the factory for Python',
    build: (s) => new InferenceService(s, 'llm', { model: HF, gpus: GpuRequest.memoryShare(Size.gibibytes(20)) }),
    error: 'GpuRequest.memoryShare',
  },
];

badInputCatalogue(ROWS, { title: 'issue 17 class 5 and 6 bad inputs' });

test('a ClusterProfile per chart is still fine (nearest wins), and DEVICE_PLUGIN with the DRA gate off is fine', () => {
  const app = new App({ outdir: '/nonexistent-cdk8s-ai' });
  new ClusterProfile(app, 'Cluster');
  const chart = new Chart(app, 'c');
  new ClusterProfile(chart, 'Cluster', { featureGates: { DynamicResourceAllocation: false }, gpuAllocation: GpuAllocation.DEVICE_PLUGIN });
  expect(ClusterProfile.of(svc(chart)).usesDra).toBe(false);
});

test('8 H100 per node (PCIe or SXM: the model has no known maximum) is accepted', () => {
  const app = new App({ outdir: '/nonexistent-cdk8s-ai' });
  expect(() => new GpuNodePool(new Chart(app, 'c'), 'p', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 10, maxNodes: 1 })).not.toThrow();
});

describe('untagged or :latest images warn at synth (issue 17 class 5)', () => {
  const warningsOf = (image: string): string[] => {
    const app = new App({ outdir: '/nonexistent-cdk8s-ai' });
    const chart = new Chart(app, 'c');
    new InferenceService(chart, 'llm', { model: HF, gpus: GpuRequest.of(1), server: ModelServer.vllm({ image }) });
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      app.synthYaml();
      return spy.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('nodes pull whatever the tag points at'));
    } finally {
      spy.mockRestore();
    }
  };
  test.each([
    ['vllm/vllm-openai', 'has no tag, so it means :latest'],
    ['vllm/vllm-openai:latest', 'is tagged :latest'],
    ['registry.example.com:5000/vllm', 'has no tag, so it means :latest'],
  ])('%s warns', (image, reason) => {
    expect(warningsOf(image)).toEqual([`cdk8s-ai warning: [c/llm/Deployment] image "${image}" ${reason}: nodes pull whatever the tag ` +
      'points at when a pod starts, so replicas can run different code and a rollback changes nothing; pin a version tag or a digest ' +
      '(image@sha256:...)\n']);
  });
  test.each(['vllm/vllm-openai:v0.11.0', `vllm/vllm-openai@sha256:${'a'.repeat(64)}`, 'registry.example.com:5000/vllm:1.0'])('%s does not warn', (image) => {
    expect(warningsOf(image)).toEqual([]);
  });
});

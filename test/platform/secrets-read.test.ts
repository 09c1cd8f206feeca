/**
 * The PlatformReport lists, per tenant, every Secret each workload reads (issue 19: secret references only, and the
 * report says which): env variables from a key, whole Secrets through envFrom or a volume, projected keys, image pull
 * secrets; nothing for a workload that reads none.
 */
import { App, Chart } from 'cdk8s';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { AgentSandbox } from '../../src/agents/agent-sandbox';
import { SandboxRuntime } from '../../src/agents/sandbox-runtime';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { secretsOf } from '../../src/internal/pod-templates';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformReport } from '../../src/platform/platform-report';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';

test('secretsOf reads every way a pod spec can read a Secret', () => {
  expect(secretsOf({
    initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 'whole' } }] }],
    containers: [{ name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } }, { name: 'B', value: 'x' }] }],
    volumes: [
      { name: 'v1', secret: { secretName: 'certs' } },
      { name: 'v2', secret: { secretName: 'tls', items: [{ key: 'tls.crt', path: 'crt' }] } },
      { name: 'v3', projected: { sources: [{ secret: { name: 'search', items: [{ key: 'token', path: 't' }] } }, { configMap: { name: 'cm' } }] } },
    ],
    imagePullSecrets: [{ name: 'registry' }],
  })).toEqual(['api/token', 'certs', 'registry', 'search/token', 'tls/tls.crt', 'whole']);
  expect(secretsOf({ containers: [{ name: 'c', env: [{ name: 'B', value: 'x' }] }] })).toEqual([]);
});

test('the report lists what each workload of a tenant reads', () => {
  const app = new App();
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.AGENT_SANDBOX, ClusterAddon.GVISOR] });
  const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
  const t = new AiTenant(chart, 'ml', { team: 'ml', owner: 'o', costCenter: 'c', apiServer: { cidrs: ['10.0.0.1/32'] }, modelDownloads: { cidrs: ['0.0.0.0/0'] } });
  new InferenceService(t, 'llm', { model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { tokenSecret: 'hf' }), gpus: GpuRequest.of(1) });
  new GangTrainingJob(t, 'train', {
    image: 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64),
    command: ['train.py'],
    workers: 1,
    gpusPerWorker: GpuRequest.of(1),
    backend: TrainingBackend.jobSet(),
    scheduler: GangScheduler.kueue({ queue: t.queueName }),
    secretEnv: { WANDB_API_KEY: { secretName: 'wandb', key: 'api-key' } },
  });
  new AgentSandbox(t, 'sandbox', {
    image: 'ghcr.io/acme/sb@sha256:' + 'a'.repeat(64),
    runtime: SandboxRuntime.gvisor(),
    port: 8888,
    secretFiles: [{ secret: { secretName: 'search-api', key: 'token' }, fileName: 'search-token' }],
  });
  const report = new PlatformReport(chart, 'Report');
  expect(report.model().tenants[0].secretsRead).toEqual([
    { workload: 'Deployment/ml-llm', secrets: ['hf/token'] },
    { workload: 'JobSet/ml-train', secrets: ['wandb/api-key'] },
    { workload: 'SandboxTemplate/ml-sandbox', secrets: ['search-api/token'] },
  ]);
  expect(report.renderMarkdown()).toContain('| SandboxTemplate/ml-sandbox | `search-api/token` |');
  // Issue 19: the same tenant, the workloads that run sandboxed (only the agent sandbox; the server and the gang do not).
  expect(report.model().tenants[0].sandboxedWorkloads).toEqual([{ workload: 'SandboxTemplate/ml-sandbox', runtimeClass: 'gvisor' }]);
  expect(report.renderMarkdown()).toContain('| SandboxTemplate/ml-sandbox | `gvisor` |');
});

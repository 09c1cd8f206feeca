/**
 * The README's measured claims (issue 17, "The README must be true"), each checked here: the example platform's
 * object count, what one InferenceService generates, and what the readiness report says about gang starts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { PlatformReport } from '../../src/platform/platform-report';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { synthExample } from '../scanners/example-app';
import { TRAINING_ADDONS, jobProps } from '../training/fixtures';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

test('the example platform writes the number of objects the README states', () => {
  const { objects } = synthExample();
  expect(README).toContain(`(${objects.length} objects in \`examples/dist/\``);
  expect(objects).toHaveLength(104);
});

test('one InferenceService generates what the README table lists, and no PrometheusRule', () => {
  const kinds = (route: boolean) => {
    const chart = new Chart(new App(), 'c');
    new InferenceService(chart, 'llm', {
      model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
      gpus: GpuRequest.of(1),
      route: route ? { gateway: 'inference-gateway' } : undefined,
    });
    return chart.toJson().map((o: any) => o.kind).sort();
  };
  expect(kinds(false)).toEqual(['Deployment', 'NetworkPolicy', 'PodMonitor', 'ResourceClaimTemplate', 'Service']);
  expect(kinds(true)).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'HTTPRoute', 'InferencePool', 'NetworkPolicy', 'NetworkPolicy',
    'PodMonitor', 'ResourceClaimTemplate', 'Role', 'RoleBinding', 'Service', 'Service', 'ServiceAccount', 'ServiceMonitor']);
  expect(README).toContain('| `PodMonitor` (server), `ServiceMonitor` (endpoint picker) |');
});

test('the report says what Kueue needs for a gang to start all together (waitForPodsReady), as not checked', () => {
  const app = new App({ outdir: '/nonexistent-cdk8s-ai' });
  const chart = new Chart(app, 'c', { namespace: 'training' });
  new ClusterProfile(chart, 'Cluster', { addons: TRAINING_ADDONS });
  new GangTrainingJob(chart, 'job', jobProps());
  const md = new PlatformReport(chart, 'Report').renderMarkdown();
  expect(md).toContain('## Gang start: what Kueue needs');
  expect(md).toContain('Kueue Configuration needs `waitForPodsReady`. This report cannot see the Kueue Configuration: NOT CHECKED, required for c/job.');
  expect(README).toContain('waitForPodsReady');
});

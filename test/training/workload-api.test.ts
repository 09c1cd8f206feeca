// The native Workload API per Kubernetes release. 1.37 (v1beta1) is proven on the 'latest' apiserver in
// gang-training-job.apiserver.test.ts; no test apiserver serves 1.35 (v1alpha1) or 1.36 (v1alpha2), so their objects
// are checked against those releases' OpenAPI definitions, and the JobSet and worker pods on the 1.37 apiserver.
import { App, Chart } from 'cdk8s';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { GangPlan } from '../../src/training/gang-plan';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { TrainingBackend } from '../../src/training/training-backend';
import { WORKLOAD_API_RELEASES } from '../../src/training/workload-api';
import { KubeObject, validateObjects } from '../harness';
import { TRAINING_ADDONS, build, find, podTemplateOf, workerJob } from './fixtures';
import { definitionFor, schemaProblems } from './schema-check';

const V1_36 = { kubernetesVersion: KubernetesVersion.V1_36, featureGates: { GenericWorkload: true, GangScheduling: true }, addons: TRAINING_ADDONS };

function conforms(version: string, obj: KubeObject): string[] {
  return schemaProblems(version, definitionFor(version, obj.apiVersion, obj.kind), obj);
}

describe('Kubernetes 1.36: scheduling.k8s.io/v1alpha2 Workload + PodGroup + pod schedulingGroup', () => {
  test.each(['jobSet', 'kubeflowTrainer'])('with %s', async (backend) => {
    const { objects } = build('latest', {
      scheduler: GangScheduler.workloadApi(),
      backend: backend === 'jobSet' ? TrainingBackend.jobSet() : TrainingBackend.kubeflowTrainer(),
    }, V1_36);
    const workload = find(objects, 'Workload', 'scheduling.k8s.io/v1alpha2');
    const group = find(objects, 'PodGroup', 'scheduling.k8s.io/v1alpha2');
    expect((workload as any).spec.podGroupTemplates).toEqual([{ name: 'workers', schedulingPolicy: { gang: { minCount: 4 } } }]);
    expect((group as any).spec).toEqual({
      podGroupTemplateRef: { workload: { workloadName: 'finetune', podGroupTemplateName: 'workers' } },
      schedulingPolicy: { gang: { minCount: 4 } },
    });
    expect(conforms('v1.36.0', workload)).toEqual([]);
    expect(conforms('v1.36.0', group)).toEqual([]);

    const holder = objects.find((o) => o.kind === 'JobSet' || o.kind === 'TrainingRuntime')!;
    expect(podTemplateOf(holder).spec.schedulingGroup).toEqual({ podGroupName: 'finetune-workers' });
    const job = workerJob(holder);
    expect(conforms('v1.36.0', job)).toEqual([]);
    // The CRD keeps the field, and the pods the controller creates are valid Pods where the API exists.
    const rest = objects.filter((o) => !o.apiVersion.startsWith('scheduling.k8s.io/'));
    const results = await validateObjects([...rest, job], { environment: 'latest' });
    expect(results.filter((r) => r.mode === 'dry-run')).toHaveLength(rest.length + 1);
  });

  test('the schema check is not a no-op: 1.35 field names in a 1.36 object are reported', () => {
    const { objects } = build('latest', { scheduler: GangScheduler.workloadApi() }, V1_36);
    const workload = JSON.parse(JSON.stringify(find(objects, 'Workload'))) as any;
    workload.spec.podGroupTemplates[0].policy = { gang: { minCount: 4 } };
    delete workload.spec.podGroupTemplates[0].schedulingPolicy;
    expect(conforms('v1.36.0', workload)).toEqual([
      '.spec.podGroupTemplates[0].schedulingPolicy: required',
      '.spec.podGroupTemplates[0].policy: unknown field',
    ]);
  });
});

describe('Kubernetes 1.35: scheduling.k8s.io/v1alpha1 Workload + pod workloadRef', () => {
  // Neither shipped backend's CRD keeps spec.workloadRef (the job is refused: see bad-inputs.test.ts and the negative
  // control in gang-training-job.apiserver.test.ts), so the 1.35 rendering is checked here through a backend that would.
  test('renders a Workload and a pod link that conform to the 1.35 schema', () => {
    const app = new App();
    const profile = new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_35, addons: ClusterAddon.defaults() });
    const chart = new Chart(app, 'c', { namespace: 'training' });
    const plan: GangPlan = {
      name: 'finetune',
      namespace: 'training',
      workers: 16,
      profile,
      labels: { 'app.kubernetes.io/name': 'gang-training-job' },
      podSelector: {},
      backend: { ...TrainingBackend.jobSet()._traits(), podFields: ['workloadRef'] },
    };
    const { objects, podFields } = WORKLOAD_API_RELEASES[35].render(chart, plan);
    const [workload] = objects.map((o) => o.toJson()) as KubeObject[];
    expect(workload).toEqual({
      apiVersion: 'scheduling.k8s.io/v1alpha1',
      kind: 'Workload',
      metadata: { name: 'finetune', namespace: 'training', labels: { 'app.kubernetes.io/name': 'gang-training-job' } },
      spec: {
        controllerRef: { apiGroup: 'jobset.x-k8s.io', kind: 'JobSet', name: 'finetune' },
        podGroups: [{ name: 'workers', policy: { gang: { minCount: 16 } } }],
      },
    });
    expect(conforms('v1.35.0', workload)).toEqual([]);
    expect(podFields).toEqual({ workloadRef: { name: 'finetune', podGroup: 'workers' } });
    expect(schemaProblems('v1.35.0', 'io.k8s.api.core.v1.PodSpec', { containers: [{ name: 'c' }], ...podFields })).toEqual([]);
  });

  test('the table covers 1.35 to 1.37 and nothing before', () => {
    expect(Object.keys(WORKLOAD_API_RELEASES)).toEqual(['35', '36', '37']);
    expect(Object.values(WORKLOAD_API_RELEASES).map((r) => r.groupVersion)).toEqual([
      'scheduling.k8s.io/v1alpha1', 'scheduling.k8s.io/v1alpha2', 'scheduling.k8s.io/v1beta1',
    ]);
  });
});

import * as path from 'node:path';

/** The shared reference folder beside the project root (never copied into the project). */
export const SHARED_DIR = path.resolve(__dirname, '..', '..', '..', 'shared');

export interface ImportModule {
  /** File name in imports/ (without .ts). */
  readonly name: string;
  readonly kind: 'k8s' | 'crd';
  /** k8s: schema folder under k8s-schemas/ (v1.34.0); crd: project folder under crds/. */
  readonly source: string;
  /** crd: the CRD files to import (one API group per module). */
  readonly files?: string[];
  /** k8s: keep only definitions with these prefixes (and what they reference). */
  readonly include?: string[];
  /** k8s: class name prefix. */
  readonly classPrefix?: string;
}

/** Every generated module. Add a CRD here, run `npx projen import`, commit imports/. */
export const IMPORTS: ImportModule[] = [
  { name: 'k8s', kind: 'k8s', source: 'v1.34.0' },
  {
    name: 'k8s-alpha',
    kind: 'k8s',
    source: 'v1.36.0',
    include: ['io.k8s.api.scheduling.v1alpha2.'],
  },
  { name: 'gateway', kind: 'crd', source: 'gateway-api', files: ['gateway.networking.k8s.io_httproutes.yaml'] },
  { name: 'inference', kind: 'crd', source: 'gateway-api-inference-extension', files: ['inference.networking.k8s.io_inferencepools.yaml'] },
  {
    name: 'llmd',
    kind: 'crd',
    source: 'llm-d-router',
    files: ['llm-d.ai_inferenceobjectives.yaml', 'llm-d.ai_inferencemodelrewrites.yaml'],
  },
  {
    name: 'kueue',
    kind: 'crd',
    source: 'kueue',
    files: [
      'kueue.x-k8s.io_admissionchecks.yaml',
      'kueue.x-k8s.io_clusterqueues.yaml',
      'kueue.x-k8s.io_localqueues.yaml',
      'kueue.x-k8s.io_resourceflavors.yaml',
      'kueue.x-k8s.io_workloadpriorityclasses.yaml',
      'kueue.x-k8s.io_topologies.yaml',
    ],
  },
  { name: 'jobset', kind: 'crd', source: 'jobset', files: ['jobset.x-k8s.io_jobsets.yaml'] },
  { name: 'lws', kind: 'crd', source: 'lws', files: ['leaderworkerset.x-k8s.io_leaderworkersets.yaml'] },
  { name: 'podgroup', kind: 'crd', source: 'scheduler-plugins', files: ['scheduling.x-k8s.io_podgroups.yaml'] },
  { name: 'kuberay', kind: 'crd', source: 'kuberay', files: ['ray.io_rayjobs.yaml', 'ray.io_rayclusters.yaml'] },
  {
    name: 'agent-sandbox',
    kind: 'crd',
    source: 'agent-sandbox',
    files: [
      'extensions.agents.x-k8s.io_sandboxtemplates.yaml',
      'extensions.agents.x-k8s.io_sandboxwarmpools.yaml',
      'extensions.agents.x-k8s.io_sandboxclaims.yaml',
    ],
  },
  { name: 'karpenter', kind: 'crd', source: 'karpenter', files: ['karpenter.sh_nodepools.yaml'] },
  { name: 'nvidia-dra', kind: 'crd', source: 'nvidia-dra-driver-gpu', files: ['resource.nvidia.com_computedomains.yaml'] },
  { name: 'nvidia-gpu-operator', kind: 'crd', source: 'nvidia-gpu-operator', files: ['nvidia.com_clusterpolicies.yaml'] },
  {
    name: 'monitoring',
    kind: 'crd',
    source: 'prometheus-operator',
    files: ['monitoring.coreos.com_servicemonitors.yaml', 'monitoring.coreos.com_podmonitors.yaml', 'monitoring.coreos.com_prometheusrules.yaml'],
  },
  { name: 'argo-rollouts', kind: 'crd', source: 'argo-rollouts', files: ['analysis-template-crd.yaml'] },
  { name: 'sigstore', kind: 'crd', source: 'sigstore-policy-controller', files: ['300-clusterimagepolicy.yaml'] },
];

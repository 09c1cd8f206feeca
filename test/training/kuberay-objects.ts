/**
 * The objects KubeRay (v1.7) creates from our RayJobs and RayClusters, for the apiserver tests to validate as pods and
 * jobs: the head pod (with the autoscaler sidecar KubeRay adds when the cluster autoscales), a worker pod, and the
 * submitter Job of a RayJob in K8sJobMode.
 *
 * A mimic, kept for the apiserver tests; the real operator (v1.6.2) runs our objects in test/simcluster/ray.sim.test.ts.
 * What it adds that this leaves out: on every Ray container the `ray start` command line (`/bin/bash -c --`), KubeRay's
 * env (RAY_ADDRESS, KUBERAY_GEN_RAY_START_CMD, ...) and exec probes on the dashboard agent port; on workers a
 * `metrics` port (8080) and the `wait-gcs-ready` init container (the Ray container's image, env, mounts and security
 * context, 200m/256Mi); the `ray.io/*` labels; a `ray-logs` volume on the head when it autoscales. The real autoscaler
 * runs `ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) ...` as its args (below, the override form KubeRay's
 * comments suggest), and the real submitter submits to and follows `<cluster>-head-svc:8265`.
 */
import { KubeObject } from '../harness/objects';

/** A Pod from a Ray group template as KubeRay creates it (common/pod.go keeps the template's spec and labels). */
export function podOf(template: any, name: string, namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: template.metadata?.labels }, spec: template.spec };
}

/** The head and a worker of a RayCluster spec; the head with KubeRay's autoscaler sidecar when it autoscales. */
export function rayPods(name: string, namespace: string, spec: any): KubeObject[] {
  const headTemplate = spec.headGroupSpec.template;
  const options = spec.autoscalerOptions;
  // common/pod.go BuildAutoscalerContainer with the overrides of autoscalerOptions (mergeAutoscalerOverrides).
  const autoscaler = options && {
    name: 'autoscaler',
    image: headTemplate.spec.containers[0].image,
    command: ['/bin/bash', '-lc', '--'],
    args: ['ulimit -n 65536; $KUBERAY_GEN_AUTOSCALER_START_CMD'],
    resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '500m', memory: '512Mi' } },
    securityContext: options.securityContext,
    env: options.env,
    volumeMounts: options.volumeMounts,
  };
  const containers = autoscaler ? [...headTemplate.spec.containers, autoscaler] : headTemplate.spec.containers;
  const withSidecar = { ...headTemplate, spec: { ...headTemplate.spec, containers } };
  return [podOf(withSidecar, `${name}-head-x`, namespace), podOf(spec.workerGroupSpecs[0].template, `${name}-workers-worker-x`, namespace)];
}

/** The submitter Job KubeRay creates in K8sJobMode (named after the RayJob), with the command it fills in. */
export function submitterJob(rayJob: any): KubeObject[] {
  const template = rayJob.spec.submitterPodTemplate;
  if (!template) return [];
  const container = { ...template.spec.containers[0], command: ['/bin/bash', '-ce', '--'], args: ['ray job submit -- python train.py'] };
  return [{
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: rayJob.metadata.name, namespace: rayJob.metadata.namespace },
    spec: { backoffLimit: 2, template: { metadata: template.metadata, spec: { ...template.spec, containers: [container] } } },
  }];
}

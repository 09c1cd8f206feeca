/**
 * Pod templates embedded in custom resources. kube-linter and checkov only inspect the built-in workload kinds, so a
 * JobSet's or LeaderWorkerSet's pods would pass unexamined. Each embedded template is handed to the scanners as the
 * built-in object its controller creates from it (a Job for a JobSet's or a Kubeflow TrainingRuntime's replicated job
 * and for an Argo Rollouts analysis job, a Pod for a LeaderWorkerSet's leader and worker templates, for a Ray
 * cluster's head and workers, with what KubeRay adds to them, and for an agent sandbox), and findings on
 * it name the custom resource and the template's path.
 */
import type { KubeObject, ScanTarget } from './scanners';

type Json = { readonly [key: string]: any };

interface Extractor {
  /** apiVersion group of the custom resource. */
  readonly group: string;
  readonly kind: string;
  readonly templates: (o: Json) => { path: string; object: Json }[];
}

/**
 * kube-linter's job-ttl-seconds-after-finished asks standalone Jobs for a TTL. The Jobs of a Kubeflow TrainJob are
 * not standalone: the TrainJob owns them, and Kubeflow Trainer (v2.3) has no TTL for it (the training constructs
 * refuse ttlAfterFinished with that backend), so for them the finding is wrong. kube-linter's own per-object opt-out
 * annotation says so on the Job scanned in their place (never on anything cdk8s-ai emits).
 */
const NO_OWNER_TTL = {
  'ignore-check.kube-linter.io/job-ttl-seconds-after-finished':
    'owned by a Kubeflow TrainJob, which has no TTL for finished jobs (Kubeflow Trainer v2.3)',
};

const EXTRACTORS: Extractor[] = [
  {
    group: 'jobset.x-k8s.io',
    kind: 'JobSet',
    templates: (o) => (o.spec?.replicatedJobs ?? []).map((rj: Json) => ({
      path: `spec.replicatedJobs[${rj.name}].template`,
      object: job(o, rj.name, rj.template, o.spec?.ttlSecondsAfterFinished),
    })),
  },
  {
    // Kubeflow Trainer: the runtime's template is the JobSet spec the TrainJob runs.
    group: 'trainer.kubeflow.org',
    kind: 'TrainingRuntime',
    templates: (o) => (o.spec?.template?.spec?.replicatedJobs ?? []).map((rj: Json) => ({
      path: `spec.template.spec.replicatedJobs[${rj.name}].template`,
      object: withAnnotations(job(o, rj.name, rj.template, o.spec?.template?.spec?.ttlSecondsAfterFinished), NO_OWNER_TTL),
    })),
  },
  {
    group: 'leaderworkerset.x-k8s.io',
    kind: 'LeaderWorkerSet',
    templates: (o) => {
      const t = o.spec?.leaderWorkerTemplate ?? {};
      return [
        ...(t.leaderTemplate ? [{ path: 'spec.leaderWorkerTemplate.leaderTemplate', object: pod(o, 'leader', t.leaderTemplate) }] : []),
        ...(t.workerTemplate ? [{ path: 'spec.leaderWorkerTemplate.workerTemplate', object: pod(o, 'worker', t.workerTemplate) }] : []),
      ];
    },
  },
  {
    // KubeRay (v1.7) creates the head and worker Pods of a RayCluster from these templates.
    group: 'ray.io',
    kind: 'RayCluster',
    templates: (o) => rayClusterPods(o, o.spec ?? {}, 'spec'),
  },
  {
    // A RayJob's cluster, plus the submitter pod that runs the entrypoint (a Job in K8sJobMode).
    group: 'ray.io',
    kind: 'RayJob',
    templates: (o) => [
      ...rayClusterPods(o, o.spec?.rayClusterSpec ?? {}, 'spec.rayClusterSpec'),
      ...(o.spec?.submitterPodTemplate ? [{ path: 'spec.submitterPodTemplate', object: pod(o, 'submitter', o.spec.submitterPodTemplate) }] : []),
    ],
  },
  {
    // agent-sandbox (v0.5.6) creates each sandbox's Pod from the template's podTemplate.
    group: 'extensions.agents.x-k8s.io',
    kind: 'SandboxTemplate',
    templates: (o) => (o.spec?.podTemplate ? [{ path: 'spec.podTemplate', object: pod(o, 'sandbox', o.spec.podTemplate) }] : []),
  },
  {
    group: 'argoproj.io',
    kind: 'AnalysisTemplate',
    templates: (o) => (o.spec?.metrics ?? []).filter((m: Json) => m.provider?.job).map((m: Json) => ({
      path: `spec.metrics[${m.name}].provider.job`,
      object: job(o, m.name, m.provider.job, m.provider.job.spec?.ttlSecondsAfterFinished),
    })),
  },
];

/**
 * The Pod KubeRay creates from a head or worker template: it injects a liveness and a readiness probe into the Ray
 * container (index 0) when the template has none, unless the operator runs with ENABLE_PROBES_INJECTION=false
 * (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/pod.go initLivenessAndReadinessProbe and
 * getEnableProbesInjection; an HTTP GET of /api/healthz on the dashboard agent's port 52365, utils/constant.go).
 */
function rayPod(owner: Json, part: string, template: Json): Json {
  const p = pod(owner, part, template);
  const probe = { httpGet: { path: '/api/healthz', port: 52365 } };
  const containers = (p.spec.containers ?? []).map((c: Json, i: number) => (i === 0
    ? { ...c, livenessProbe: c.livenessProbe ?? probe, readinessProbe: c.readinessProbe ?? probe }
    : c));
  return { ...p, spec: { ...p.spec, containers } };
}

function rayClusterPods(o: Json, spec: Json, at: string): { path: string; object: Json }[] {
  const head = spec.headGroupSpec?.template ? [{ path: `${at}.headGroupSpec.template`, object: rayPod(o, 'head', spec.headGroupSpec.template) }] : [];
  const workers = (spec.workerGroupSpecs ?? []).map((g: Json) => ({
    path: `${at}.workerGroupSpecs[${g.groupName}].template`,
    object: rayPod(o, g.groupName, g.template),
  }));
  return [...head, ...workers];
}

/** The scanner targets for the pod templates embedded in `o` (none for kinds without templates). */
export function embeddedPodTemplates(o: KubeObject): ScanTarget[] {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  const extractor = EXTRACTORS.find((x) => x.group === group && x.kind === o.kind);
  if (!extractor) return [];
  const owner = [o.kind, o.metadata.namespace, o.metadata.name].filter(Boolean).join('/');
  return extractor.templates(o as Json).map(({ path, object }) => ({
    object: object as KubeObject,
    describe: `${owner} ${path} (scanned as a ${object.kind})`,
  }));
}

function meta(owner: Json, part: string, template: Json | undefined): Json {
  return {
    ...(template?.metadata ?? {}),
    name: `${owner.metadata?.name}-${part}`,
    ...(owner.metadata?.namespace ? { namespace: owner.metadata.namespace } : {}),
  };
}

/** A Job from a JobTemplateSpec; the owner's own ttlSecondsAfterFinished is what cleans it up. */
function job(owner: Json, part: string, template: Json, ttl: number | undefined): Json {
  const spec = { ...(template?.spec ?? {}) };
  if (spec.ttlSecondsAfterFinished === undefined && ttl !== undefined) spec.ttlSecondsAfterFinished = ttl;
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(owner, part, template), spec };
}

function withAnnotations(o: Json, annotations: Record<string, string>): Json {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata?.annotations ?? {}), ...annotations } } };
}

function pod(owner: Json, part: string, template: Json): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta(owner, part, template), spec: template?.spec ?? {} };
}

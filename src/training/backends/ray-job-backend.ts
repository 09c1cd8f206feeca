import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { RayJob } from '../../imports/kuberay';
import { ValidationError, requireOneOf } from '../../internal/errors';
import { claimName } from '../../internal/names';
import { PodSpecBuilder, computeResources } from '../../security/pod-spec';
import { BackendObjects, BackendStrategy, BackendTraits, GangPlan, GangRendering } from '../gang-plan';
import {
  DO_NOT_DISRUPT, KUBERAY_APP_NAME, PodTemplateJson, headResources, rayEntrypoint, rayHeadTemplate, rayNetwork, rayVersionOf, rayWorkerTemplate,
  roleLabels, workerStartParams,
} from '../ray-pods';

/** The worker group (a Kueue pod set of its own; `head` is reserved for the head, raycluster_webhook.go). */
const WORKER_GROUP = 'workers';
/** KubeRay's submitter container name (utils.SubmitterContainerName) and its requests: the `ray job submit` CLI. */
const SUBMITTER_CONTAINER = 'ray-job-submitter';
const SUBMITTER_RESOURCES = computeResources({ cpu: '500m', memory: '512Mi' });
/** KubeRay v1.7.0 utils/constant.go: `MaxRayJobNameLength = MaxRayClusterNameLength - 6` (53 - 6). */
const MAX_RAY_JOB_NAME = 47;

/**
 * How KubeRay hands the entrypoint to the Ray cluster.
 */
export enum RaySubmissionMode {
  /**
   * A submitter Kubernetes Job runs `ray job submit` against the head and follows the logs (KubeRay's default).
   *
   * The driver logs stay in the submitter pod after the RayCluster is deleted.
   */
  K8S_JOB = 'K8sJobMode',

  /**
   * The KubeRay operator submits the job over HTTP to the head's dashboard.
   *
   * No submitter pod is created.
   */
  HTTP = 'HTTPMode',
}

/**
 * Options for a RayJob backend.
 */
export interface RayJobOptions {
  /**
   * CPU cores of the Ray head pod, as request and limit (fractions allowed).
   *
   * The head runs the GCS, the dashboard and the job's driver (the entrypoint); it gets no GPUs.
   *
   * @default 2
   */
  readonly headCpu?: number;

  /**
   * Memory of the Ray head pod (request = limit).
   *
   * @default Size.gibibytes(8)
   */
  readonly headMemory?: Size;

  /**
   * The Ray version of the image (`rayClusterSpec.rayVersion`), e.g. `2.52.0`.
   *
   * KubeRay picks version-dependent behaviour from it, such as the health probes it injects: from 2.53.0 an HTTP
   * GET of the dashboard agent's health endpoint; unset or older, `bash -c "wget ..."` exec probes
   * (ray-operator/controllers/ray/common/pod.go supportsUnifiedHealthCheck), so an image without bash and wget
   * never becomes Ready unless this says 2.53.0 or later.
   *
   * @default - unset (KubeRay injects its bash + wget probes)
   */
  readonly rayVersion?: string;

  /**
   * How KubeRay submits the entrypoint.
   *
   * `SidecarMode` is not offered: KubeRay v1.7.0 injects its sidecar submitter without a security context, so the
   * head pod would fail Pod Security `restricted`.
   *
   * @default RaySubmissionMode.K8S_JOB (KubeRay's default, `+kubebuilder:default:=K8sJobMode` in rayjob_types.go)
   */
  readonly submissionMode?: RaySubmissionMode;
}

/**
 * `TrainingBackend.rayJob()`: a KubeRay RayJob (`ray.io/v1`, KubeRay v1.7) whose RayCluster (a CPU head and one
 * worker group of `workers` pods) exists for the job only.
 */
export class RayJobBackend implements BackendStrategy {
  public readonly name = 'rayJob';

  constructor(private readonly options: RayJobOptions) {}

  public traits(): BackendTraits {
    return {
      kind: 'RayJob',
      apiGroup: 'ray.io',
      release: 'KubeRay v1.7 RayJob',
      addon: ClusterAddon.KUBERAY,
      containerName: 'ray-worker',
      replicatedJobName: WORKER_GROUP,
      podFields: [],
      supportsTtl: true,
      injectsTorchEnv: false,
      conventions: {
        maxNameLength: MAX_RAY_JOB_NAME,
        nameLimitSource: 'KubeRay v1.7.0 ray-operator/controllers/ray/utils/validation.go ValidateRayJobMetadata',
        // The RayJob's own head Service, stable across retries (common/job.go BuildHeadServiceForRayJob).
        leaderHost: (name) => `${name}-head-svc`,
        defaultTtlSeconds: 0,
        schedulers: ['kueue'],
        schedulersReason: 'the gang comes from Kueue\'s RayJob integration, which admits the head, the workers and the ' +
          'submitter as one workload; KubeRay makes its own PodGroup or Workload (operator flag --batch-scheduler) for ' +
          'coscheduling and the Workload API, named after the RayCluster it creates, so objects rendered here would ' +
          'never match its pods',
        launchers: ['raw'],
        launchersReason: 'KubeRay runs the command once, as the Ray job\'s entrypoint on the head, and the program ' +
          'starts its workers as Ray actors (Ray Train\'s TorchTrainer starts one process per GPU); a launcher there ' +
          'would start the processes of one node only',
      },
    };
  }

  public render(scope: Construct, plan: GangPlan, rendering: GangRendering): BackendObjects {
    refuseJobSetSettings(scope, rendering);
    const entrypoint = rayEntrypoint(scope, rendering.launch.command, rendering.launch.args);
    const mode = requireOneOf(scope, 'backend.submissionMode', this.options.submissionMode ?? RaySubmissionMode.K8S_JOB,
      Object.values(RaySubmissionMode));
    const rayVersion = rayVersionOf(scope, 'backend.rayVersion', this.options.rayVersion);
    claimName(scope, 'RayJob', plan.namespace, plan.name);
    claimName(scope, 'Service', plan.namespace, `${plan.name}-head-svc`);
    // K8sJobMode: the submitter Job is named after the RayJob (common/association.go RayJobK8sJobNamespacedName).
    if (mode === RaySubmissionMode.K8S_JOB) claimName(scope, 'Job', plan.namespace, plan.name);

    // The head keeps KubeRay's app.kubernetes.io/name, which the RayJob's head Service selects (KUBERAY_APP_NAME).
    const head = roleLabels({ ...plan.labels, ...KUBERAY_APP_NAME }, plan.podSelector, 'ray-head');
    const submitter = roleLabels(plan.labels, plan.podSelector, 'ray-submitter');
    const worker = rayWorkerTemplate(rendering.podTemplate);
    const headTemplate = rayHeadTemplate(worker, head.labels,
      headResources(scope, 'backend.head', { cpu: this.options.headCpu, memory: this.options.headMemory }), DO_NOT_DISRUPT);
    const gpus = plan.gpus?.devicesPerPod ?? 0;
    const workload = new RayJob(scope, 'RayJob', {
      metadata: { name: plan.name, namespace: plan.namespace, labels: { ...plan.labels, ...rendering.scheduler.jobLabels } },
      spec: {
        entrypoint,
        submissionMode: mode,
        // Kueue refuses a queued RayJob that keeps its cluster (rayjob_webhook.go validateCreate): the cluster would
        // hold the queue's quota after the job ends.
        shutdownAfterJobFinishes: true,
        // KubeRay deletes the RayCluster (not the RayJob) this long after the job ends (rayjob_types.go).
        ttlSecondsAfterFinished: rendering.ttlSecondsAfterFinished,
        // Each retry is a new RayCluster (rayjob_types.go): a whole-gang restart.
        backoffLimit: rendering.maxRestarts,
        // Counted from each attempt's start (rayjob_controller.go initRayJobStatusIfNeed sets Status.StartTime).
        activeDeadlineSeconds: rendering.activeDeadlineSeconds,
        submitterPodTemplate: mode === RaySubmissionMode.K8S_JOB ? submitterTemplate(scope, worker, submitter.labels) : undefined,
        rayClusterSpec: {
          rayVersion,
          headGroupSpec: { rayStartParams: {}, template: headTemplate },
          workerGroupSpecs: [{
            groupName: WORKER_GROUP,
            // A gang: no autoscaling, and replicas set, since Kueue counts `replicas` (CRD default 0), not min/max
            // (kueue pkg/controller/jobs/raycluster/common.go effectiveWorkerCount).
            replicas: plan.workers,
            minReplicas: plan.workers,
            maxReplicas: plan.workers,
            rayStartParams: workerStartParams(gpus),
            template: worker,
          }],
        },
      },
    });
    rayNetwork(scope, {
      name: plan.name,
      namespace: plan.namespace,
      labels: plan.labels,
      head,
      workers: plan.podSelector,
      submitter: mode === RaySubmissionMode.K8S_JOB ? submitter.selector : undefined,
    });
    return { workload, companions: [] };
  }
}

/** GangTrainingJob settings that belong to JobSet and mean nothing to KubeRay. */
function refuseJobSetSettings(scope: Construct, rendering: GangRendering): void {
  if (rendering.backoffLimit > 0) {
    throw new ValidationError(scope, 'backoffLimit', `got ${rendering.backoffLimit}; a RayJob has no per-pod retries (KubeRay ` +
      'replaces a failed worker pod and Ray Train\'s FailureConfig decides whether the run survives it); leave backoffLimit ' +
      'unset and use maxRestarts for whole-cluster retries');
  }
  if (rendering.leaderSuccess) {
    throw new ValidationError(scope, 'successPolicy', 'a RayJob succeeds when its entrypoint succeeds; leave successPolicy unset');
  }
  if (rendering.exclusiveTopology !== undefined) {
    throw new ValidationError(scope, 'topology', 'an exclusive topology is JobSet\'s exclusive placement, which a RayJob does ' +
      'not have; drop exclusive, or use TrainingBackend.jobSet()');
  }
}

/**
 * The submitter pod (K8sJobMode). KubeRay's default has no security context (common/job.go
 * GetDefaultSubmitterContainer) and would fail Pod Security `restricted`; this one has the workers' user and image.
 * KubeRay fills in the command, since the container has none (rayjob_controller.go configureSubmitterContainer).
 */
function submitterTemplate(scope: Construct, worker: PodTemplateJson, labels: Record<string, string>): PodTemplateJson {
  const podSecurity = worker.spec.securityContext;
  const ray = worker.spec.containers[0];
  const builder = new PodSpecBuilder(scope, {
    readOnlyRootFilesystem: true,
    runAsUser: podSecurity.runAsUser,
    runAsGroup: podSecurity.runAsGroup,
    fsGroup: podSecurity.fsGroup,
  });
  builder.addScratch('tmp', '/tmp');
  builder.addContainer({
    name: SUBMITTER_CONTAINER,
    image: ray.image,
    imagePullPolicy: ray.imagePullPolicy,
    env: [{ name: 'HOME', value: '/tmp' }],
    resources: SUBMITTER_RESOURCES,
  });
  builder.restartPolicy = 'Never';
  builder.priorityClassName = worker.spec.priorityClassName;
  return { metadata: { labels }, spec: builder.buildJson() };
}

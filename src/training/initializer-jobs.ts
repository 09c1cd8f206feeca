/**
 * The initializer jobs of a gang: one single-pod job per TrainingInitializer, filling the job's dataset or model
 * volume before the workers start. Internal.
 *
 * Shape: Kubeflow Trainer v2.3.0 (`pkg/constants/constants.go`, `manifests/base/runtimes/torchtune/*.yaml`): the
 * replicated jobs `dataset-initializer` and `model-initializer`, their containers named the same, labelled
 * `trainer.kubeflow.org/trainjob-ancestor-step: <name>`, and the trainer job `dependsOn` both with status `Complete`
 * (JobSet v0.12.0 `pkg/controllers/depends_on.go` checks every item of the list). Kubeflow's initializer images
 * (`pkg/initializers`) read `STORAGE_URI`, `IGNORE_PATTERNS` and `ACCESS_TOKEN` and write to `/workspace/dataset` or
 * `/workspace/model` with `huggingface_hub.snapshot_download`; without `ACCESS_TOKEN`, huggingface_hub reads the token
 * from the file `HF_TOKEN_PATH` names, which is how the token arrives here (a file, never a variable value).
 */
import { Construct } from 'constructs';
import { GangPlan, RoleJob } from './gang-plan';
import { GangTrainingJobProps } from './gang-training-job-props';
import { TrainingInitializer } from './training-initializer';
import { TrainingVolume } from './training-volume';
import { DATASET_PATH, MODEL_PATH } from './worker-pod';
import * as k8s from '../imports/k8s';
import { ValidationError, invalidProp } from '../internal/errors';
import { selectorLabels, standardLabels } from '../internal/labels';
import { requireKind, req } from '../internal/runtime-checks';
import { PodSpecBuilder, ResolvedSecurity, computeResources, resolveSecurity } from '../security/pod-spec';
import { secretEnvVars } from '../security/secret-reference';
import { EgressNeedKind, needEgress } from '../security/tenant-network';

/** An initializer pod streams a download to the volume: little CPU and memory (KServe's storage initializer: 1 CPU, 1Gi). */
const INITIALIZER_RESOURCES = { cpu: '1', memory: '2Gi' };
/** A download that fails is retried in place a few times before the attempt fails. */
const INITIALIZER_BACKOFF_LIMIT = 3;
const SCRATCH_PATH = '/tmp';
const TOKEN_DIR = '/var/run/secrets/huggingface';

/** Where each target's volume is in the workers, and its variable. */
const TARGETS: Record<string, { prop: 'dataset' | 'model'; path: string; env: string }> = {
  dataset: { prop: 'dataset', path: DATASET_PATH, env: 'DATASET_DIR' },
  model: { prop: 'model', path: MODEL_PATH, env: 'MODEL_DIR' },
};

/** The initializer jobs of `props.initializers`, in the order given, each checked against the job's volumes. */
export function initializerJobs(scope: Construct, props: GangTrainingJobProps, plan: GangPlan, annotations: Record<string, string>): RoleJob[] {
  const initializers = props.initializers ?? [];
  // A download needs no writable root filesystem (HOME is the /tmp volume), unless the job's security says otherwise.
  const security = resolveSecurity(scope, { ...props.security, readOnlyRootFilesystem: props.security?.readOnlyRootFilesystem ?? true });
  const seen = new Map<string, number>();
  return initializers.map((initializer, i) => {
    const prop = `initializers[${i}]`;
    requireKind(scope, prop, initializer, req(TrainingInitializer, 'a TrainingInitializer such as TrainingInitializer.huggingFace(...)'));
    const target = TARGETS[initializer.target];
    const earlier = seen.get(initializer.target);
    if (earlier !== undefined) {
      throw new ValidationError(scope, prop, `initializers[${earlier}] already fills the ${target.prop} volume; give each target ` +
        'one initializer (one image can download several things)');
    }
    seen.set(initializer.target, i);
    const volume = props[target.prop];
    requireWritableClaim(scope, prop, target.prop, volume);
    const name = `${initializer.target}-initializer`;
    const pod = initializerPod(scope, props, plan, security, initializer, prop, name);
    const podTemplate = Object.keys(annotations).length ? { ...pod, metadata: { ...pod.metadata, annotations: { ...annotations } } } : pod;
    return { name, podTemplate, backoffLimit: INITIALIZER_BACKOFF_LIMIT };
  });
}

/** The target must be a claim: an emptyDir is gone with the initializer pod, a ConfigMap or Secret is read-only. */
function requireWritableClaim(scope: Construct, prop: string, target: string, volume: TrainingVolume | undefined): void {
  if (volume === undefined) {
    throw new ValidationError(scope, prop, `the initializer fills the job's ${target} volume, which is not set; set ${target}: ` +
      'TrainingVolume.fromClaim(\'<claim>\') (a ReadWriteMany claim, or ReadWriteOnce when every worker and the initializer share a node)');
  }
  if (volume.kind !== 'persistentVolumeClaim') {
    throw invalidProp(scope, `${target}.volume`, volume.kind, `a PersistentVolumeClaim (TrainingVolume.fromClaim), because ${prop} ` +
      `writes into it: a ${volume.kind} volume ${volume.kind === 'emptyDir' ? 'is gone with the initializer pod' : 'is read-only'}`);
  }
}

function initializerPod(scope: Construct, props: GangTrainingJobProps, plan: GangPlan, security: ResolvedSecurity,
  initializer: TrainingInitializer, prop: string, name: string) {
  const spec = initializer._resolve(scope, prop);
  const target = TARGETS[initializer.target];
  const mountPath = spec.mountPath ?? target.path;
  const builder = new PodSpecBuilder(scope, security);
  builder.addVolume(props[target.prop]!._toVolume(target.prop, false));
  builder.addScratch('tmp', SCRATCH_PATH);
  const env: Record<string, string> = { HOME: SCRATCH_PATH, ...(spec.mountPath ? {} : { [target.env]: mountPath }), ...spec.env };
  const mounts: k8s.VolumeMount[] = [{ name: target.prop, mountPath }];
  if (spec.tokenSecret) {
    builder.addVolume({ name: 'hf-token', secret: { secretName: spec.tokenSecret.secretName, items: [{ key: spec.tokenSecret.key, path: 'token' }], defaultMode: 0o440 } });
    mounts.push({ name: 'hf-token', mountPath: TOKEN_DIR, readOnly: true });
    env.HF_TOKEN_PATH = `${TOKEN_DIR}/token`;
  }
  builder.addContainer({
    name,
    image: spec.image,
    command: spec.command,
    args: spec.args,
    env: [...Object.keys(env).sort().map((n) => ({ name: n, value: env[n] })), ...secretEnvVars(spec.secretEnv)],
    resources: computeResources(INITIALIZER_RESOURCES),
    volumeMounts: mounts,
  }, {
    inputs: {
      envProp: (n) => `${prop}.env.${n}`,
      argProp: (arg) => ((spec.command ?? []).includes(arg) ? `${prop}.command` : `${prop}.args`),
      commandProp: `${prop}.command`,
      alternative: 'keep it in a Secret and reference it: TrainingInitializer.fromContainer({ secretEnv: { NAME: { secretName: ' +
        '\'<secret>\', key: \'<key>\' } } }), or tokenSecret for a Hugging Face token',
    },
  });
  builder.restartPolicy = 'Never';
  builder.priorityClassName = props.priorityClassName;
  builder.serviceAccountName = props.serviceAccountName;
  const identity = { name: 'gang-training-job', instance: plan.name, component: name };
  const labels = standardLabels(identity);
  // The download source is a fact of the cluster or tenant (a mirror, a proxy): the tenant resolves the need.
  needEgress({
    scope,
    name: name.replace('-initializer', '-download'),
    kind: EgressNeedKind.MODEL_DOWNLOAD,
    description: `the ${name} of ${plan.name} downloads into its ${target.prop} volume`,
    from: { namespace: plan.namespace, podLabels: selectorLabels(identity) },
    destination: spec.source,
  });
  return { metadata: { labels }, spec: builder.buildJson() };
}


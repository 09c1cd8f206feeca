import { IConstruct } from 'constructs';
import { OciModelFallback } from './oci-model-fallback';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { ValidationError } from '../internal/errors';
import { computeResources, defaultPullPolicy, PodSpecBuilder } from '../security/pod-spec';

/** The feature gate of Kubernetes image volumes (KEP-4639). */
export const IMAGE_VOLUME_GATE = 'ImageVolume';
/** Where the model directory is linked in the modelcar fallback: the parent of `/mnt/models`, shared by both containers. */
const MODELCAR_DIR = '/mnt';
const MODELCAR_VOLUME = 'modelcar';
/**
 * The modelcar container's CPU and memory: KServe's defaults (kserve/kserve v0.20.0 pkg/constants/constants.go
 * `CpuModelcarDefault`, `MemoryModelcarDefault`), as requests and limits.
 */
const MODELCAR_RESOURCES = { cpu: '10m', memory: '15Mi' };

/** What the OCI image mount gives the server container. */
export interface OciModelMount {
  readonly mounts: k8s.VolumeMount[];
}

/**
 * Mounts the model image at `modelPath`: as a read-only image volume (`volumes[].image`) where the ClusterProfile's
 * Kubernetes has the `ImageVolume` gate on (off by default in 1.34, on from 1.35, GA and locked on from 1.36:
 * kubernetes v1.37.2 pkg/features/kube_features.go), else as a modelcar when `fallback` says so, else refused.
 */
export function mountOciImage(scope: IConstruct, builder: PodSpecBuilder, image: string, imagePath: string, modelPath: string,
  volumeName: string, fallback: OciModelFallback): OciModelMount {
  const profile = ClusterProfile.of(scope);
  if (profile.isFeatureEnabled(IMAGE_VOLUME_GATE)) {
    builder.addVolume({ name: volumeName, image: { reference: image, pullPolicy: defaultPullPolicy(image) } });
    // subPath on image volumes: Kubernetes 1.33+ (the Volume.image field description, k8s 1.34.0 schema). KServe's
    // native OCI mode mounts subPath "models" the same way (kserve v0.20.0 pkg/utils/storage.go ConfigureOciNativeToContainer).
    const subPath = imagePath.replace(/^\/+|\/+$/g, '');
    return { mounts: [{ name: volumeName, mountPath: modelPath, readOnly: true, ...(subPath ? { subPath } : {}) }] };
  }
  if (fallback !== OciModelFallback.MODELCAR) {
    throw new ValidationError(scope, 'model', `ModelSource.ociImage("${image}") mounts the image as a Kubernetes image volume, which needs ` +
      `the feature gate ${IMAGE_VOLUME_GATE} (on by default from Kubernetes 1.35), off on the target Kubernetes ${profile.kubernetesVersion}; ` +
      `expected a ClusterProfile with kubernetesVersion 1.35 or later (or featureGates: { ${IMAGE_VOLUME_GATE}: true }), ` +
      '{ fallback: OciModelFallback.MODELCAR } to run the image as a modelcar sidecar instead, or ' +
      `ModelSource.storageUri("oci://${image}") to copy the model into an emptyDir`);
  }
  addModelcar(builder, image, imagePath, modelPath);
  return { mounts: [{ name: MODELCAR_VOLUME, mountPath: MODELCAR_DIR, readOnly: true }] };
}

/**
 * KServe's modelcar (kserve v0.20.0 pkg/utils/storage.go `CreateModelcarContainer`, `ConfigureModelcarToContainer`),
 * as a native sidecar: it starts before the server, links `/proc/<its pid>/root/<imagePath>` at `modelPath` in an
 * emptyDir both containers mount at `/mnt`, and its startup probe holds the server back until the link resolves
 * (KServe instead tells its runtimes to wait, `MODEL_INIT_MODE=async`). The pod shares its process namespace so the
 * server can follow the link; every container runs as the pod's user, which `/proc/<pid>/root` requires, and stays
 * within Pod Security `restricted` (no capabilities, no privilege escalation).
 */
function addModelcar(builder: PodSpecBuilder, image: string, imagePath: string, modelPath: string): void {
  builder.addVolume({ name: MODELCAR_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString('1Mi') } });
  builder.extra = { ...builder.extra, shareProcessNamespace: true };
  const target = `/proc/$$$$/root/${imagePath.replace(/^\/+|\/+$/g, '')}`; // `$$` escapes `$` in a Kubernetes command
  builder.addContainer({
    name: 'modelcar',
    image,
    command: ['sh', '-c', `ln -sfn ${target} ${modelPath} && exec sleep infinity`],
    restartPolicy: 'Always',
    startupProbe: { exec: { command: ['test', '-d', `${modelPath}/`] }, periodSeconds: 2, failureThreshold: 150 },
    resources: computeResources(MODELCAR_RESOURCES),
    volumeMounts: [{ name: MODELCAR_VOLUME, mountPath: MODELCAR_DIR }],
  }, { init: true });
}

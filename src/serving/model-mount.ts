import { IConstruct } from 'constructs';
import { LoraAdapter, LoraAdapterKind } from './lora-adapter';
import { ModelCache, ModelCacheKind } from './model-cache';
import { credentialsFiles, CredentialInputs, tokenFile } from './model-credentials';
import { ModelSource, ModelSourceKind } from './model-source';
import { fillSharedVolume, waitForFill } from './model-volume-fill';
import { mountOciImage } from './oci-model';
import { OciModelFallback } from './oci-model-fallback';
import { LaunchAdapter, ServerEngine, UNSIZED_CACHE_REQUEST } from './server-engine';
import * as k8s from '../imports/k8s';
import { invalidProp, ValidationError } from '../internal/errors';
import { computeResources, PodSpecBuilder } from '../security/pod-spec';

export { HF_TOKEN_DIR, MODEL_CREDENTIALS_DIR } from './model-credentials';

/** The KServe storage initializer the library pins for `storageUri` sources (kserve/kserve v0.20.0). */
export const STORAGE_INITIALIZER_IMAGE = 'kserve/storage-initializer:v0.20.0';
/** Where the model cache is mounted; `HF_HOME` points here. */
export const MODEL_CACHE_PATH = '/var/cache/models';
/** Where a downloaded or mounted model lives in the pod. */
export const MODEL_PATH = '/mnt/models';
const MODEL_VOLUME = 'model';
const CACHE_VOLUME = 'model-cache';
/**
 * Resources of the init containers that fetch a model: KServe's storage-initializer defaults (limits 1 CPU, 1Gi),
 * as requests and limits. A download streams to the volume, so memory does not grow with the model.
 */
const FETCH_RESOURCES = { cpu: '1', memory: '1Gi' };
/**
 * Ephemeral storage the server pod may use beyond its sized download and cache volumes (`/tmp` scratch with compile
 * caches, container logs, the writable layer), added to their sum for the ephemeral-storage limit.
 */
export const EPHEMERAL_HEADROOM_BYTES = 10 * 2 ** 30;

/** How the model reaches the server container. */
export interface ModelMount {
  /** What the engine loads (Hugging Face id or path). */
  readonly model: string;
  /** The revision the engine passes, when it downloads itself. */
  readonly revision?: string;
  /** Env for the server container (token file path, cache location). */
  readonly env: k8s.EnvVar[];
  /** Mounts for the server container. */
  readonly mounts: k8s.VolumeMount[];
  /** Ephemeral storage the download and cache volumes may use, in bytes (for the request). */
  readonly ephemeralBytes: number;
  /**
   * The ephemeral-storage limit, in bytes, when every volume a download lands in is sized: their sum plus
   * `EPHEMERAL_HEADROOM_BYTES`. A container's limit becomes a limit on the whole pod (every emptyDir, log and
   * writable layer: kubernetes v1.37.2 pkg/kubelet/eviction/eviction_manager.go podEphemeralStorageLimitEviction),
   * so the download steps and the server carry the same one.
   */
  readonly ephemeralLimitBytes?: number;
  readonly adapters: LaunchAdapter[];
}

/**
 * Adds the volumes and init containers the model source, cache and adapters need to `builder`, and says what the
 * server loads. Secrets are referenced by name only. `limitEphemeral` false (the user sized the server's ephemeral
 * storage) leaves ephemeral storage unlimited.
 */
export function mountModel(scope: IConstruct, builder: PodSpecBuilder, engine: ServerEngine, source: ModelSource, cache: ModelCache,
  adapters: LoraAdapter[], limitEphemeral = true): ModelMount {
  const env: k8s.EnvVar[] = [{ name: 'HF_HOME', value: MODEL_CACHE_PATH }];
  const mounts: k8s.VolumeMount[] = [{ name: CACHE_VOLUME, mountPath: MODEL_CACHE_PATH }];
  let ephemeralBytes = 0;
  if (cache.kind === ModelCacheKind.PERSISTENT_VOLUME_CLAIM) {
    builder.addVolume({ name: CACHE_VOLUME, persistentVolumeClaim: { claimName: cache.claimName! } });
  } else {
    builder.addVolume({ name: CACHE_VOLUME, emptyDir: { sizeLimit: cache.size ? k8s.Quantity.fromString(cache.size.asString()) : undefined } });
    ephemeralBytes += cache.size ? bytesOf(cache.size) : 0;
  }
  const signature = source.signature;
  const download = podDownload(engine, source);
  ephemeralBytes += download?.bytes ?? 0;
  const cacheSized = cache.kind === ModelCacheKind.PERSISTENT_VOLUME_CLAIM || cache.size !== undefined;
  const allSized = limitEphemeral && cacheSized && (download === undefined || download.sized);
  const ephemeralLimitBytes = allSized ? ephemeralBytes + EPHEMERAL_HEADROOM_BYTES : undefined;
  const disk: DownloadDisk = { requestBytes: download?.bytes ?? 0, limitBytes: ephemeralLimitBytes };

  let model = MODEL_PATH;
  let revision: string | undefined;
  let modelMount: k8s.VolumeMount | undefined = { name: MODEL_VOLUME, mountPath: MODEL_PATH, readOnly: true };
  const hf = source._hf;
  switch (source.kind) {
    case ModelSourceKind.HUGGING_FACE:
      if (!download) {
        model = source.location;
        revision = hf.revision;
        modelMount = undefined;
        const token = tokenFile(builder, hf.tokenSecret, hf.tokenSecretKey ?? 'token');
        env.push(...token.env);
        mounts.push(...token.mounts);
      } else {
        if (hf.revision !== undefined && signature) {
          throw new ValidationError(scope, 'model.revision', 'a signed Hugging Face model is fetched by the storage initializer (so the files are ' +
            'verified before the server reads them), which takes no revision; pin the revision in a storageUri (hf://) or a volume');
        }
        if (hf.revision !== undefined) {
          throw new ValidationError(scope, 'model.revision', `${engine.displayName} does not download from the Hub itself, so the model is ` +
            'fetched by the storage initializer, which takes no revision; pin the revision in a storageUri (hf://) or a volume');
        }
        addDownload(builder, `hf://${source.location}`, STORAGE_INITIALIZER_IMAGE, tokenFile(builder, hf.tokenSecret, hf.tokenSecretKey ?? 'token'), disk);
        builder.addVolume({ name: MODEL_VOLUME, emptyDir: {} });
      }
      break;
    case ModelSourceKind.PERSISTENT_VOLUME_CLAIM:
      builder.addVolume({ name: MODEL_VOLUME, persistentVolumeClaim: { claimName: source.location, readOnly: true } });
      model = source._pvc.path ? `${MODEL_PATH}/${source._pvc.path}` : MODEL_PATH;
      break;
    case ModelSourceKind.OCI_IMAGE: {
      const oci = mountOciImage(scope, builder, source.location, source._oci.path ?? '/models', MODEL_PATH, MODEL_VOLUME,
        source._oci.fallback ?? OciModelFallback.NONE);
      mounts.push(...oci.mounts);
      modelMount = undefined;
      break;
    }
    default: {
      const opts = source._uri;
      const image = opts.initializerImage ?? STORAGE_INITIALIZER_IMAGE;
      if (opts.sharedVolume) {
        const filled = fillSharedVolume(scope, opts.sharedVolume, {
          uri: source.location,
          scheme: source.scheme!,
          image,
          credentialsSecret: opts.credentialsSecret,
          credentialsSecretKey: opts.credentialsSecretKey,
          mountPath: MODEL_PATH,
          resources: FETCH_RESOURCES,
        });
        builder.addVolume({ name: MODEL_VOLUME, persistentVolumeClaim: { claimName: filled.claimName, readOnly: true } });
        waitForFill(builder, image, MODEL_VOLUME, MODEL_PATH, filled);
        model = `${MODEL_PATH}/${filled.directory}`;
        break;
      }
      builder.addVolume({ name: MODEL_VOLUME, emptyDir: { sizeLimit: opts.size ? k8s.Quantity.fromString(opts.size.asString()) : undefined } });
      if (source.scheme === 'oci') {
        addOciCopy(builder, source.location.slice('oci://'.length), opts.ociModelPath ?? '/models', disk);
      } else {
        addDownload(builder, source.location, image,
          credentialsFiles(builder, source.location, source.scheme!, opts.credentialsSecret, opts.credentialsSecretKey), disk);
      }
    }
  }
  if (modelMount) mounts.push(modelMount);
  const hasModelVolume = source.kind !== ModelSourceKind.HUGGING_FACE || download !== undefined;
  if (signature) {
    // After the download or copy init container (init containers run in order), before the server.
    const fromHub = source.kind === ModelSourceKind.HUGGING_FACE || source.scheme === 'hf';
    // huggingface_hub's snapshot_download(local_dir=...) keeps its download metadata in <dir>/.cache/huggingface.
    signature._addVerifier(builder, model, { name: MODEL_VOLUME, mountPath: MODEL_PATH }, fromHub ? [`${MODEL_PATH}/.cache`] : []);
  }

  const launchAdapters = adapters.map((a, i) => {
    if (a.kind === LoraAdapterKind.MODEL_PATH && !hasModelVolume) {
      throw invalidProp(scope, `loraAdapters[${i}]`, a.name, 'a Hugging Face adapter: a model-path adapter needs a model volume ' +
        '(a PersistentVolumeClaim, storageUri or ociImage model source)');
    }
    return { name: a.name, source: a.kind === LoraAdapterKind.HUGGING_FACE ? a.location : `${MODEL_PATH}/${a.location}` };
  });
  return { model, revision, env, mounts, ephemeralBytes, ephemeralLimitBytes, adapters: launchAdapters };
}

function bytesOf(size: { toKibibytes(): number }): number {
  return size.toKibibytes() * 1024;
}

/**
 * The per-pod download of a source, when one lands on node disk in an emptyDir: its bytes (the source's `size`, or
 * `UNSIZED_CACHE_REQUEST` when unsized) and whether that is a real size. Undefined when nothing is downloaded into
 * the pod (a volume, an image volume or modelcar, a shared volume, or a Hub model the server downloads into its
 * cache, which the cache's own request covers).
 */
function podDownload(engine: ServerEngine, source: ModelSource): { bytes: number; sized: boolean } | undefined {
  switch (source.kind) {
    case ModelSourceKind.HUGGING_FACE:
      return engine.downloadsFromHub && !source.signature ? undefined : { bytes: bytesOf(UNSIZED_CACHE_REQUEST), sized: false };
    case ModelSourceKind.STORAGE_URI: {
      if (source._uri.sharedVolume) return undefined;
      const size = source._uri.size;
      return size ? { bytes: bytesOf(size), sized: true } : { bytes: bytesOf(UNSIZED_CACHE_REQUEST), sized: false };
    }
    default:
      return undefined;
  }
}

/** The ephemeral storage a download step requests (its volume) and the pod-wide limit it carries, if any. */
interface DownloadDisk {
  readonly requestBytes: number;
  readonly limitBytes?: number;
}

/** A download step's resources: KServe's CPU and memory, its volume as an ephemeral-storage request, and the pod's limit. */
function fetchResources(disk: DownloadDisk): k8s.ResourceRequirements {
  const resources = computeResources({ ...FETCH_RESOURCES, otherRequests: { 'ephemeral-storage': bytesQuantity(disk.requestBytes) } });
  if (disk.limitBytes !== undefined) resources.limits!['ephemeral-storage'] = k8s.Quantity.fromString(bytesQuantity(disk.limitBytes));
  return resources;
}

/** `bytes` as a quantity in Mi (Gi when whole). */
function bytesQuantity(bytes: number): string {
  const mi = Math.ceil(bytes / 2 ** 20);
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

/**
 * Where the server pods download weights from, for the tenant's egress (undefined when nothing is downloaded over
 * the pod network: a volume, or an `oci://` model image the kubelet pulls).
 */
export function downloadSource(source: ModelSource, adapters: LoraAdapter[]): string | undefined {
  const where: string[] = [];
  if (source.kind === ModelSourceKind.HUGGING_FACE) where.push(`the Hugging Face Hub (huggingface.co, HTTPS): ${source.location}`);
  if (source.signature?._needsNetwork) where.push('Sigstore\'s trust root for the model signature (tuf-repo-cdn.sigstore.dev, HTTPS)');
  if (source.kind === ModelSourceKind.STORAGE_URI && source.scheme !== 'oci' && !source._uri.sharedVolume) {
    where.push(source.location.replace(/^([a-z0-9]+:\/\/[^/]*).*$/, '$1')); // scheme and host (bucket)
  }
  const hubAdapters = adapters.filter((a) => a.kind === LoraAdapterKind.HUGGING_FACE).map((a) => a.location);
  if (hubAdapters.length) where.push(`LoRA adapters from the Hugging Face Hub: ${hubAdapters.join(', ')}`);
  return where.length ? where.join('; ') : undefined;
}

/**
 * The download init container: the KServe storage initializer with its credentials (`files`, see
 * `credentialsFiles`), its volume requested as ephemeral storage.
 */
function addDownload(builder: PodSpecBuilder, uri: string, image: string, files: CredentialInputs, disk: DownloadDisk): void {
  builder.addContainer({
    name: 'model-download',
    image,
    args: [uri, MODEL_PATH],
    env: [{ name: 'HOME', value: '/tmp' }, ...files.env],
    resources: fetchResources(disk),
    volumeMounts: [{ name: MODEL_VOLUME, mountPath: MODEL_PATH }, ...files.mounts],
    securityContext: { readOnlyRootFilesystem: true },
  }, { init: true });
}

function addOciCopy(builder: PodSpecBuilder, image: string, path: string, disk: DownloadDisk): void {
  builder.addContainer({
    name: 'model-copy',
    image,
    command: ['cp', '-R', `${path}/.`, `${MODEL_PATH}/`],
    resources: fetchResources(disk),
    volumeMounts: [{ name: MODEL_VOLUME, mountPath: MODEL_PATH }],
    securityContext: { readOnlyRootFilesystem: true },
  }, { init: true });
}

import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ModelSignature } from './model-signature';
import { OciModelFallback } from './oci-model-fallback';
import { SharedModelVolume } from './shared-model-volume';
import { invalidProp, ValidationError } from '../internal/errors';
import { isDnsSubdomain } from '../internal/qualified-name';
import { checkProps, opt, requireKind } from '../internal/runtime-checks';
import { requireSecretRef } from '../security/secret-reference';

/**
 * Options for a model from the Hugging Face Hub.
 */
export interface HuggingFaceModelOptions {
  /**
   * A branch, tag or commit of the repository. Pin a commit for reproducible deployments.
   *
   * @default - the default branch
   */
  readonly revision?: string;

  /**
   * The name of a Secret (in the service's namespace) holding a Hugging Face token, for gated or private models.
   * It reaches the server as a file, never as an environment variable: the key is mounted read-only at
   * `/var/run/secrets/huggingface/token` and `HF_TOKEN_PATH` points at it (huggingface_hub reads it there). The
   * token never appears in the YAML.
   *
   * @default - no token (public models only)
   */
  readonly tokenSecret?: string;

  /**
   * The key in `tokenSecret` that holds the token.
   *
   * @default 'token'
   */
  readonly tokenSecretKey?: string;

  /**
   * A signature the model's files must carry (OpenSSF model signing), verified by an init step after the download
   * and before the server starts. With a signature the model is downloaded by an init step
   * (the KServe storage initializer, `hf://`) even for servers that download from the Hub themselves, so the files
   * are checked before the server reads them.
   *
   * @default - no signature required
   */
  readonly signature?: ModelSignature;
}

/**
 * Options for a model on a PersistentVolumeClaim.
 */
export interface PersistentVolumeClaimModelOptions {
  /**
   * The model's directory inside the volume.
   *
   * @default - the volume root
   */
  readonly path?: string;

  /**
   * A signature the model's files must carry (OpenSSF model signing), verified by an init step before the server
   * starts (the volume is mounted read-only).
   *
   * @default - no signature required
   */
  readonly signature?: ModelSignature;
}

/**
 * Options for a model downloaded by an init step.
 */
export interface StorageUriModelOptions {
  /**
   * The name of a Secret (in the service's namespace) with the download step's credentials. Never a literal
   * credential. Wherever the download step (the KServe storage initializer v0.20.0) can read a credential from a
   * file, the Secret's `credentialsSecretKey` is mounted read-only as a file, never exposed as environment variables
   * (which leak into crash dumps, `/proc/<pid>/environ` and child processes):
   *
   * - `s3://`: an AWS config file (`[default]` with `aws_access_key_id`, `aws_secret_access_key`, and optionally
   *   `region` and `endpoint_url` for S3-compatible stores); `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`
   *   point at it (boto3, which the storage initializer downloads with, reads both);
   * - `gs://`: a service-account JSON key; `GOOGLE_APPLICATION_CREDENTIALS` points at it;
   * - `hf://`: a Hugging Face token; `HF_TOKEN_PATH` points at it;
   * - Azure Blob Storage (`https://<account>.blob.core.windows.net/...`): a service principal's PEM client
   *   certificate (with its private key); `AZURE_CLIENT_CERTIFICATE_PATH` points at it, and the Secret's keys
   *   `AZURE_CLIENT_ID` and `AZURE_TENANT_ID` (identifiers, not credentials) become those variables by reference.
   *
   * The initializer reads two kinds of credential from the environment only; each becomes one variable that
   * references the key (`secretKeyRef`), never a literal and never the whole Secret: Azure Files
   * (`https://<account>.file.core.windows.net/...`, the account key as `AZURE_STORAGE_ACCESS_KEY`) and other
   * `https://` hosts (a JSON object of request headers as `<host>-headers`). `oci://` images are pulled by the
   * kubelet: use image pull secrets instead.
   *
   * @default - no credentials
   */
  readonly credentialsSecret?: string;

  /**
   * The key of `credentialsSecret` that holds the credential: the file for `s3://`, `gs://`, `hf://` and Azure Blob,
   * the variable's value for Azure Files and other `https://` hosts.
   *
   * @default - 'token' for hf:// URIs, 'credentials' otherwise
   */
  readonly credentialsSecretKey?: string;

  /**
   * The image of the download step for `s3://`, `gs://`, `https://` and `hf://` URIs.
   *
   * @default 'kserve/storage-initializer:v0.20.0'
   */
  readonly initializerImage?: string;

  /**
   * For `oci://` URIs, the directory inside the model image that holds the model (copied with `cp`, so the image
   * needs a shell-less `cp`, e.g. a busybox-based "modelcar" image).
   *
   * @default '/models'
   */
  readonly ociModelPath?: string;

  /**
   * The model's size on disk. A per-pod download volume gets it as its size limit, and the download step and the
   * server request it as ephemeral storage (with every download and cache volume sized, the server also limits its
   * ephemeral storage to their sum plus 10Gi for scratch and logs). Unsized, 100Gi is requested and nothing is limited.
   *
   * @default - unsized: 100Gi requested, no limit
   */
  readonly size?: Size;

  /**
   * A PersistentVolumeClaim a download Job fills once and the servers mount read-only, instead of a download in
   * every pod: the servers wait for the Job's completion marker before they start.
   *
   * @default - every pod downloads into its own emptyDir
   */
  readonly sharedVolume?: SharedModelVolume;

  /**
   * A signature the model's files must carry (OpenSSF model signing), verified by an init step after the download
   * and before the server starts.
   *
   * @default - no signature required
   */
  readonly signature?: ModelSignature;
}

/**
 * Options for a model packaged as an OCI image.
 */
export interface OciImageModelOptions {
  /**
   * The directory inside the image that holds the model (KServe's modelcar images keep it in `/models`).
   *
   * @default '/models'
   */
  readonly path?: string;

  /**
   * What to do on a cluster whose Kubernetes has no image volumes (the `ImageVolume` feature gate is off by default
   * in 1.34).
   *
   * @default OciModelFallback.NONE
   */
  readonly fallback?: OciModelFallback;
}

/** How a source reaches the pod. */
export enum ModelSourceKind {
  /** A Hugging Face Hub repository. */
  HUGGING_FACE = 'HuggingFace',
  /** A PersistentVolumeClaim holding the model files. */
  PERSISTENT_VOLUME_CLAIM = 'PersistentVolumeClaim',
  /** A URI downloaded by an init container. */
  STORAGE_URI = 'StorageUri',
  /** An OCI image mounted as a read-only image volume (or a modelcar). */
  OCI_IMAGE = 'OciImage',
}

const URI_SCHEMES = ['s3', 'gs', 'https', 'hf', 'oci'];

/**
 * Where the model weights come from.
 *
 * ```ts
 * ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { tokenSecret: 'hf-token' })
 * ModelSource.persistentVolumeClaim('models', { path: 'llama-3.1-8b' })
 * ModelSource.storageUri('s3://models/llama-3.1-8b', { credentialsSecret: 's3-credentials' })
 * ModelSource.storageUri('oci://registry.example.com/models/llama:1.0')
 * ModelSource.ociImage('registry.example.com/models/llama@sha256:...')
 * ```
 */
export class ModelSource {
  /**
   * A repository on the Hugging Face Hub, e.g. `meta-llama/Llama-3.1-8B-Instruct`. Servers that download from the
   * Hub themselves (vLLM, SGLang, TGI) get the id; others get an init container that downloads it.
   *
   * @param repository The Hub repository id, e.g. `meta-llama/Llama-3.1-8B-Instruct`.
   */
  public static huggingFace(repository: string, options: HuggingFaceModelOptions = {}): ModelSource {
    return new ModelSource(ModelSourceKind.HUGGING_FACE, repository, options, {}, {}, {});
  }

  /**
   * Model files on an existing PersistentVolumeClaim (in the service's namespace), mounted read-only at
   * `/mnt/models`. Use a ReadOnlyMany or ReadWriteMany claim when there are several replicas.
   *
   * @param claimName The claim's name.
   */
  public static persistentVolumeClaim(claimName: string, options: PersistentVolumeClaimModelOptions = {}): ModelSource {
    return new ModelSource(ModelSourceKind.PERSISTENT_VOLUME_CLAIM, claimName, {}, options, {}, {});
  }

  /**
   * A URI an init container downloads into `/mnt/models` before the server starts: `s3://`, `gs://`, `https://`,
   * `hf://` (KServe storage initializer) or `oci://` (the model image itself, copied from `ociModelPath`).
   *
   * @param uri The model's URI, e.g. `s3://models/llama-3.1-8b`.
   */
  public static storageUri(uri: string, options: StorageUriModelOptions = {}): ModelSource {
    return new ModelSource(ModelSourceKind.STORAGE_URI, uri, {}, {}, options, {});
  }

  /**
   * A model packaged as an OCI image, mounted read-only at `/mnt/models` as a Kubernetes image volume: the kubelet
   * pulls it like a container image (same pull secrets and node cache), nothing is downloaded into the pod. Image
   * volumes need the `ImageVolume` feature gate (on by default from Kubernetes 1.35); on an older ClusterProfile
   * synth fails unless `fallback` is `OciModelFallback.MODELCAR`. Pin the image by digest (`image@sha256:...`): a
   * tag is re-resolved on every pod start (pull policy `Always`), so replicas can load different weights.
   *
   * @param image The image reference, e.g. `registry.example.com/models/llama@sha256:...`.
   */
  public static ociImage(image: string, options: OciImageModelOptions = {}): ModelSource {
    options = checkProps('ModelSource.ociImage', 'OciImageModelOptions', options, {
      path: opt('string'),
      fallback: opt('string', 'an OciModelFallback such as OciModelFallback.MODELCAR'),
    });
    return new ModelSource(ModelSourceKind.OCI_IMAGE, image, {}, {}, {}, options);
  }

  /** How the model reaches the pod. */
  public readonly kind: ModelSourceKind;
  /** The repository id, claim name or URI. */
  public readonly location: string;
  /** @internal */
  public readonly _hf: HuggingFaceModelOptions;
  /** @internal */
  public readonly _pvc: PersistentVolumeClaimModelOptions;
  /** @internal */
  public readonly _uri: StorageUriModelOptions;
  /** @internal */
  public readonly _oci: OciImageModelOptions;

  private constructor(kind: ModelSourceKind, location: string, hf: HuggingFaceModelOptions,
    pvc: PersistentVolumeClaimModelOptions, uri: StorageUriModelOptions, oci: OciImageModelOptions) {
    this.kind = kind;
    this.location = location;
    this._hf = hf;
    this._pvc = pvc;
    this._uri = uri;
    this._oci = oci;
  }

  /** The signature the model's files must carry, if any. */
  public get signature(): ModelSignature | undefined {
    return this._hf.signature ?? this._pvc.signature ?? this._uri.signature;
  }

  /** The URI scheme of a storage URI (`s3`, `oci`, ...). */
  public get scheme(): string | undefined {
    return this.kind === ModelSourceKind.STORAGE_URI ? this.location.split('://')[0] : undefined;
  }

  /**
   * A name for the model when the user gives none: the repository's last segment, the claim path or the URI's.
   * @internal
   */
  public _defaultServedName(): string {
    if (this.kind === ModelSourceKind.HUGGING_FACE) return this.location;
    if (this.kind === ModelSourceKind.OCI_IMAGE) {
      return this.location.replace(/@.*$/, '').split('/').pop()!.replace(/:.*$/, '') || this.location;
    }
    const tail = (this.kind === ModelSourceKind.PERSISTENT_VOLUME_CLAIM ? (this._pvc.path ?? this.location) : this.location)
      .replace(/[:@].*$/, '').split('/').filter((p) => p.length > 0).pop();
    return tail ?? this.location;
  }

  /** @internal */
  public _validate(scope: IConstruct): void {
    requireKind(scope, 'model.signature', this.signature, opt(ModelSignature, 'a ModelSignature such as ModelSignature.sigstore({...})'));
    switch (this.kind) {
      case ModelSourceKind.HUGGING_FACE:
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/.test(this.location) || this.location.length > 96) {
          throw invalidProp(scope, 'model', this.location, 'a Hugging Face repository id such as "meta-llama/Llama-3.1-8B-Instruct"');
        }
        if (this._hf.revision !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(this._hf.revision)) {
          throw invalidProp(scope, 'model.revision', this._hf.revision, 'a branch, tag or commit id');
        }
        if (this._hf.tokenSecretKey !== undefined && this._hf.tokenSecret === undefined) {
          throw new ValidationError(scope, 'model.tokenSecretKey', 'is set but tokenSecret is not; name the Secret that holds the token');
        }
        requireSecretRef(scope, 'model.tokenSecret', this._hf.tokenSecret, this._hf.tokenSecretKey ?? 'token');
        return;
      case ModelSourceKind.PERSISTENT_VOLUME_CLAIM:
        if (!isDnsSubdomain(this.location)) throw invalidProp(scope, 'model', this.location, 'a PersistentVolumeClaim name (DNS-1123 subdomain)');
        if (this._pvc.path !== undefined && (this._pvc.path.startsWith('/') || this._pvc.path.split('/').includes('..') || this._pvc.path.length === 0)) {
          throw invalidProp(scope, 'model.path', this._pvc.path, 'a relative path inside the volume without ".."');
        }
        return;
      case ModelSourceKind.STORAGE_URI: {
        const match = /^([a-z0-9]+):\/\/(\S+)$/.exec(this.location);
        if (!match || !URI_SCHEMES.includes(match[1])) {
          throw invalidProp(scope, 'model', this.location, `a URI with one of the schemes ${URI_SCHEMES.map((s) => `${s}://`).join(', ')}`);
        }
        if (this._uri.credentialsSecretKey !== undefined && this._uri.credentialsSecret === undefined) {
          throw new ValidationError(scope, 'model.credentialsSecretKey', 'is set but credentialsSecret is not; name the Secret that holds the credentials');
        }
        if (this._uri.credentialsSecret !== undefined && match[1] === 'oci') {
          throw invalidProp(scope, 'model.credentialsSecret', this._uri.credentialsSecret, 'unset for an oci:// URI (the kubelet pulls the model image: give the pod an image pull secret)');
        }
        requireSecretRef(scope, 'model.credentialsSecret', this._uri.credentialsSecret, this._uri.credentialsSecretKey ?? 'credentials');
        if (this._uri.ociModelPath !== undefined && (match[1] !== 'oci' || !this._uri.ociModelPath.startsWith('/'))) {
          throw invalidProp(scope, 'model.ociModelPath', this._uri.ociModelPath, 'an absolute path, and only with an oci:// URI');
        }
        if (this._uri.initializerImage !== undefined && (match[1] === 'oci' || /\s/.test(this._uri.initializerImage) || !this._uri.initializerImage)) {
          throw invalidProp(scope, 'model.initializerImage', this._uri.initializerImage, 'an image reference, and not with an oci:// URI (the model image is the init step)');
        }
        if (this._uri.size !== undefined && !(this._uri.size.toKibibytes() > 0)) {
          throw invalidProp(scope, 'model.size', this._uri.size.asString(), 'a positive size (the model\'s size on disk)');
        }
        requireKind(scope, 'model.sharedVolume', this._uri.sharedVolume, opt(SharedModelVolume, 'a SharedModelVolume such as SharedModelVolume.newClaim({...})'));
        if (this._uri.sharedVolume && match[1] === 'oci') {
          throw invalidProp(scope, 'model.sharedVolume', 'SharedModelVolume', 'unset for an oci:// URI (use ModelSource.ociImage: the kubelet ' +
            'pulls the image once per node)');
        }
        this._uri.sharedVolume?._validate(scope, 'model.sharedVolume');
        return;
      }
      case ModelSourceKind.OCI_IMAGE: {
        if (!/^[a-z0-9][^\s@]*(@sha256:[0-9a-f]{64})?$/.test(this.location) || this.location.includes('://') || this.location.length > 512) {
          throw invalidProp(scope, 'model', this.location, 'an image reference such as "registry.example.com/models/llama@sha256:<digest>" (no scheme)');
        }
        const path = this._oci.path;
        if (path !== undefined && (!path.startsWith('/') || path.split('/').includes('..'))) {
          throw invalidProp(scope, 'model.path', path, 'an absolute path inside the image without ".."');
        }
        const fallbacks = Object.values(OciModelFallback) as string[];
        if (this._oci.fallback !== undefined && !fallbacks.includes(this._oci.fallback)) {
          throw invalidProp(scope, 'model.fallback', this._oci.fallback, `an OciModelFallback: one of ${fallbacks.join(', ')}`);
        }
        return;
      }
    }
  }
}

import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from '../internal/errors';
import { isDnsSubdomain } from '../internal/qualified-name';

/** The kinds of model cache. */
export enum ModelCacheKind {
  /** A per-pod emptyDir: downloads again on every new pod. */
  EMPTY_DIR = 'EmptyDir',
  /** A PersistentVolumeClaim shared by the pods: downloaded once. */
  PERSISTENT_VOLUME_CLAIM = 'PersistentVolumeClaim',
}

/**
 * Where the server keeps downloaded weights (the Hugging Face cache, `HF_HOME`).
 *
 * ```ts
 * ModelCache.emptyDir(Size.gibibytes(100))      // per pod, 100Gi requested as ephemeral storage
 * ModelCache.persistentVolumeClaim('hf-cache')  // shared: a ReadWriteMany claim the pods all mount
 * ```
 */
export class ModelCache {
  /**
   * A per-pod emptyDir.
   *
   * With a size, the size is its limit and is requested as ephemeral storage so the scheduler places the pod where
   * the download fits.
   *
   * @param size The size limit (default none).
   */
  public static emptyDir(size?: Size): ModelCache {
    return new ModelCache(ModelCacheKind.EMPTY_DIR, undefined, size);
  }

  /**
   * An existing PersistentVolumeClaim (in the service's namespace) shared by all pods, so a model is downloaded once.
   * Use a ReadWriteMany claim when pods run on several nodes.
   *
   * @param claimName The claim's name.
   */
  public static persistentVolumeClaim(claimName: string): ModelCache {
    return new ModelCache(ModelCacheKind.PERSISTENT_VOLUME_CLAIM, claimName, undefined);
  }

  /** The kind of cache. */
  public readonly kind: ModelCacheKind;
  /** The claim name, for a shared cache. */
  public readonly claimName?: string;
  /** The size limit, for an emptyDir cache. */
  public readonly size?: Size;

  private constructor(kind: ModelCacheKind, claimName: string | undefined, size: Size | undefined) {
    this.kind = kind;
    this.claimName = claimName;
    this.size = size;
  }

  /** @internal */
  public _validate(scope: IConstruct): void {
    if (this.claimName !== undefined && !isDnsSubdomain(this.claimName)) {
      throw invalidProp(scope, 'modelCache', this.claimName, 'a PersistentVolumeClaim name (DNS-1123 subdomain)');
    }
    if (this.size !== undefined && !(this.size.toKibibytes() > 0)) throw invalidProp(scope, 'modelCache.size', this.size.asString(), 'a positive size');
  }
}

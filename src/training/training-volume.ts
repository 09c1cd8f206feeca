import { Size } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import * as k8s from '../imports/k8s';
import { opt, req, requireKind } from '../internal/runtime-checks';

/**
 * A volume the workers mount: a dataset, a checkpoint store, configuration. Pod Security `restricted` allows all of
 * these sources.
 *
 * ```ts
 * TrainingVolume.fromClaim('datasets')                    // an existing PersistentVolumeClaim, by name
 * TrainingVolume.fromPersistentVolumeClaim(pvc)           // a cdk8s-plus PersistentVolumeClaim
 * TrainingVolume.fromConfigMap('train-config')
 * TrainingVolume.scratch(Size.gibibytes(100))             // per-worker emptyDir
 * ```
 */
export class TrainingVolume {
  /**
   * An existing PersistentVolumeClaim in the job's namespace, by name. All workers mount the same claim, so
   * a claim that more than one node writes to needs the `ReadWriteMany` access mode (or `ReadOnlyMany` when
   * mounted read-only).
   *
   * @param claimName The claim's name.
   */
  public static fromClaim(claimName: string): TrainingVolume {
    requireKind('TrainingVolume.fromClaim', 'claimName', claimName, req('string', 'the name of a PersistentVolumeClaim'));
    return new TrainingVolume('persistentVolumeClaim', claimName, (readOnly) => ({ persistentVolumeClaim: { claimName, readOnly: readOnly || undefined } }));
  }

  /**
   * A cdk8s-plus PersistentVolumeClaim (or one imported with `PersistentVolumeClaim.fromClaimName`).
   *
   * @param claim The claim, in the job's namespace.
   */
  public static fromPersistentVolumeClaim(claim: kplus.IPersistentVolumeClaim): TrainingVolume {
    requireKind('TrainingVolume.fromPersistentVolumeClaim', 'claim', claim, req('object', 'a cdk8s-plus PersistentVolumeClaim'));
    requireKind('TrainingVolume.fromPersistentVolumeClaim', 'claim.name', claim.name, req('string', 'the name of a PersistentVolumeClaim'));
    return TrainingVolume.fromClaim(claim.name);
  }

  /**
   * A ConfigMap in the job's namespace, mounted as files (always read-only).
   *
   * @param name The ConfigMap's name.
   */
  public static fromConfigMap(name: string): TrainingVolume {
    requireKind('TrainingVolume.fromConfigMap', 'name', name, req('string', 'the name of a ConfigMap'));
    return new TrainingVolume('configMap', name, () => ({ configMap: { name } }));
  }

  /**
   * A Secret in the job's namespace, mounted as files (always read-only).
   *
   * @param secretName The Secret's name.
   */
  public static fromSecret(secretName: string): TrainingVolume {
    requireKind('TrainingVolume.fromSecret', 'secretName', secretName, req('string', 'the name of a Secret'));
    return new TrainingVolume('secret', secretName, () => ({ secret: { secretName } }));
  }

  /**
   * An empty directory per worker, deleted with the pod (node-local scratch space).
   *
   * @param sizeLimit The directory's size limit (default none).
   */
  public static scratch(sizeLimit?: Size): TrainingVolume {
    requireKind('TrainingVolume.scratch', 'sizeLimit', sizeLimit, opt('size'));
    const limit = sizeLimit ? k8s.Quantity.fromString(sizeLimit.asString()) : undefined;
    return new TrainingVolume('emptyDir', undefined, () => ({ emptyDir: { sizeLimit: limit } }));
  }

  /** The volume source kind, e.g. `persistentVolumeClaim`. */
  public readonly kind: string;
  /** The referenced object's name (claim, ConfigMap, Secret), when there is one. */
  public readonly referenceName?: string;
  private readonly render: (readOnly: boolean) => Omit<k8s.Volume, 'name'>;

  private constructor(kind: string, referenceName: string | undefined, render: (readOnly: boolean) => Omit<k8s.Volume, 'name'>) {
    this.kind = kind;
    this.referenceName = referenceName;
    this.render = render;
  }

  /**
   * The pod volume named `name`.
   * @internal
   */
  public _toVolume(name: string, readOnly: boolean): k8s.Volume {
    return { name, ...this.render(readOnly) };
  }
}

/**
 * A volume mounted into every worker.
 */
export interface TrainingMount {
  /**
   * Where the volume appears in the container, an absolute path.
   */
  readonly mountPath: string;

  /**
   * The volume.
   */
  readonly volume: TrainingVolume;

  /**
   * Mount read-only.
   *
   * @default false (ConfigMaps and Secrets are always read-only)
   */
  readonly readOnly?: boolean;

  /**
   * A path inside the volume to mount instead of its root.
   *
   * @default - the volume's root
   */
  readonly subPath?: string;
}

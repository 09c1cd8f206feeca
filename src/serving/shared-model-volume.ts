import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from '../internal/errors';
import { isDnsSubdomain } from '../internal/qualified-name';
import { checkProps, opt, req } from '../internal/runtime-checks';

/** How the nodes may attach a shared model volume. */
export enum ModelVolumeAccessMode {
  /** Many nodes read and write (NFS, CephFS, Filestore, EFS, Azure Files...): servers on any node. */
  READ_WRITE_MANY = 'ReadWriteMany',
  /** One node at a time: the download Job and every server must run on the same node. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
}

/**
 * Props for a new shared model volume.
 */
export interface NewModelVolumeProps {
  /**
   * The claim's storage request: room for the model's files.
   */
  readonly size: Size;

  /**
   * The StorageClass that provisions the volume.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * How nodes attach the volume. The download Job mounts it read-write; the servers always mount it read-only.
   *
   * @default ModelVolumeAccessMode.READ_WRITE_MANY
   */
  readonly accessMode?: ModelVolumeAccessMode;
}

/**
 * A PersistentVolumeClaim a download Job fills once, which every server pod mounts read-only. The servers wait (an
 * init container) for the completion marker the Job writes last, so no pod needs RBAC to read Jobs.
 *
 * ```ts
 * ModelSource.storageUri('s3://models/llama-3.1-8b', {
 *   credentialsSecret: 's3-credentials',
 *   sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(40), storageClassName: 'filestore' }),
 * })
 * ```
 */
export class SharedModelVolume {
  /**
   * A new PersistentVolumeClaim, named after the service (`<service>-model`).
   */
  public static newClaim(props: NewModelVolumeProps): SharedModelVolume {
    props = checkProps('SharedModelVolume.newClaim', 'NewModelVolumeProps', props, {
      size: req(Size, 'a Size such as Size.gibibytes(40)'),
      storageClassName: opt('string'),
      accessMode: opt('string', 'a ModelVolumeAccessMode such as ModelVolumeAccessMode.READ_WRITE_MANY'),
    });
    return new SharedModelVolume(undefined, props);
  }

  /**
   * An existing PersistentVolumeClaim in the service's namespace, which the download Job writes into.
   *
   * @param claimName The claim's name.
   */
  public static existingClaim(claimName: string): SharedModelVolume {
    return new SharedModelVolume(claimName, undefined);
  }

  /** The name of the existing claim, when one is used. */
  public readonly claimName?: string;
  /** @internal */
  public readonly _new?: NewModelVolumeProps;

  private constructor(claimName: string | undefined, props: NewModelVolumeProps | undefined) {
    this.claimName = claimName;
    this._new = props;
  }

  /** @internal */
  public _validate(scope: IConstruct, prop: string): void {
    if (this.claimName !== undefined && !isDnsSubdomain(this.claimName)) {
      throw invalidProp(scope, prop, this.claimName, 'a PersistentVolumeClaim name (DNS-1123 subdomain)');
    }
    const p = this._new;
    if (!p) return;
    if (!(p.size.toKibibytes() > 0)) throw invalidProp(scope, `${prop}.size`, p.size.asString(), 'a positive size');
    if (p.storageClassName !== undefined && !isDnsSubdomain(p.storageClassName)) {
      throw invalidProp(scope, `${prop}.storageClassName`, p.storageClassName, 'a StorageClass name (DNS-1123 subdomain)');
    }
    const modes = Object.values(ModelVolumeAccessMode) as string[];
    if (p.accessMode !== undefined && !modes.includes(p.accessMode)) {
      throw invalidProp(scope, `${prop}.accessMode`, p.accessMode, `one of ${modes.join(', ')}`);
    }
  }
}

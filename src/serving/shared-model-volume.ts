import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { invalidProp, ValidationError } from '../internal/errors';
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
 * Props for a node-local model volume: a copy of the model on every node of a GPU pool.
 */
export interface NodeLocalModelVolumeProps {
  /**
   * The pool whose every node keeps a copy: its labels and taints place the DaemonSet that fills each node's copy, and
   * the servers must run on it (their `nodePool`).
   */
  readonly nodePool: GpuNodePool;

  /**
   * An absolute directory that exists on every node of the pool.
   *
   * Create it in the node image or bootstrap script: a local PersistentVolume whose directory is missing fails the
   * pod's mount. Put it on a disk of its own (the nodes' NVMe): the kubelet does not count it as ephemeral storage, so
   * nothing evicts a pod that fills it.
   */
  readonly nodePath: string;

  /**
   * Room for the model's files on each node: the local PersistentVolume's capacity (bookkeeping only: the kubelet does
   * not enforce it).
   */
  readonly size: Size;

  /**
   * Accepts the security trade-off of a node-local cache. Pod Security `restricted` forbids hostPath volumes, but not
   * a PersistentVolumeClaim bound to a `local` PersistentVolume: the fill DaemonSet, which runs in the service's
   * restricted namespace, writes to `nodePath` on every node of the pool, and whoever can write to that directory on
   * a node changes the weights every server there loads. The PersistentVolume is pre-bound to this service's claim, so
   * no other claim can take it.
   *
   * @default false (refused at synth)
   */
  readonly allowLocalPersistentVolume?: boolean;
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

  /**
   * A copy of the model on every node of a GPU pool, through one `local` PersistentVolume that every node of the pool
   * backs with its own `nodePath` (the layout of KServe v0.20.0's LocalModelNodeGroup, whose PersistentVolume spec
   * carries a node affinity over the group: pkg/controller/v1alpha1/localmodel/reconcilers/localmodelcache_reconciler.go).
   * A DaemonSet on the pool's nodes fills each copy once (a node that has the completion marker skips the download);
   * the servers mount it read-only and wait for the marker on their node. Every pod stays Pod Security `restricted`
   * (no hostPath): see `allowLocalPersistentVolume` for what that does not cover.
   */
  public static nodeLocal(props: NodeLocalModelVolumeProps): SharedModelVolume {
    props = checkProps('SharedModelVolume.nodeLocal', 'NodeLocalModelVolumeProps', props, {
      nodePool: req(GpuNodePool, 'the GpuNodePool the servers run on'),
      nodePath: req('string', 'an absolute directory such as "/mnt/nvme/models"'),
      size: req(Size, 'a Size such as Size.gibibytes(40)'),
      allowLocalPersistentVolume: opt('boolean'),
    });
    return new SharedModelVolume(undefined, undefined, props);
  }

  /** The name of the existing claim, when one is used. */
  public readonly claimName?: string;
  /** @internal */
  public readonly _new?: NewModelVolumeProps;
  /** @internal */
  public readonly _nodeLocal?: NodeLocalModelVolumeProps;

  private constructor(claimName: string | undefined, props: NewModelVolumeProps | undefined, nodeLocal?: NodeLocalModelVolumeProps) {
    this.claimName = claimName;
    this._new = props;
    this._nodeLocal = nodeLocal;
  }

  /** @internal */
  public _validate(scope: IConstruct, prop: string): void {
    const local = this._nodeLocal;
    if (local) {
      if (!/^\/[^\0]*$/.test(local.nodePath) || local.nodePath.split('/').includes('..') || local.nodePath === '/') {
        throw invalidProp(scope, `${prop}.nodePath`, local.nodePath, 'an absolute directory below "/" without ".." (e.g. "/mnt/nvme/models")');
      }
      if (!(local.size.toKibibytes() > 0)) throw invalidProp(scope, `${prop}.size`, local.size.asString(), 'a positive size');
      if (local.allowLocalPersistentVolume !== true) {
        throw new ValidationError(scope, `${prop}.allowLocalPersistentVolume`, `is not true: a node-local model volume writes to ${local.nodePath} on every ` +
          `node of the pool ${local.nodePool.name} through a local PersistentVolume, which Pod Security restricted does not see (it forbids ` +
          'hostPath, not a claim bound to a local volume); set allowLocalPersistentVolume: true to accept that, or use ' +
          'SharedModelVolume.newClaim (a network volume) or ModelSource.ociImage (an image volume) instead');
      }
    }
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

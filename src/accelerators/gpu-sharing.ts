import { Size } from 'cdk8s';

/**
 * How long a process keeps a time-sliced GPU before the next one gets it (NVIDIA `TimeSlicingConfig.interval`).
 */
export enum TimeSliceInterval {
  /** The driver's default. */
  DEFAULT = 'Default',
  /** Short slices: lower latency, more context switches. */
  SHORT = 'Short',
  /** Medium slices. */
  MEDIUM = 'Medium',
  /** Long slices: higher throughput for batch work. */
  LONG = 'Long',
}

/**
 * Options for MPS sharing.
 */
export interface MpsOptions {
  /**
   * The share of the GPU's compute each client may use, in percent (1-100).
   *
   * @default - the driver's default (100)
   */
  readonly activeThreadPercentage?: number;

  /**
   * The device memory each client may pin, per device.
   *
   * @default - no limit
   */
  readonly pinnedMemoryLimit?: Size;
}

/**
 * How several pods (or containers) share one GPU. Rendered as the NVIDIA DRA driver's opaque `GpuConfig` /
 * `MigDeviceConfig` (`resource.nvidia.com/v1beta1`) on the claim; the driver validates it only when its
 * `TimeSlicingSettings` / `MPSSupport` feature gates are on (both alpha, off by default in driver v25.12).
 */
export class GpuSharing {
  /**
   * CUDA time-slicing: clients take turns on the whole GPU, no memory isolation.
   *
   * @param interval How long each client holds the GPU before the next one's turn.
   */
  public static timeSlicing(interval?: TimeSliceInterval): GpuSharing {
    return new GpuSharing('TimeSlicing', interval, undefined);
  }

  /**
   * CUDA Multi-Process Service: clients run concurrently, optionally with a compute share and a pinned-memory limit.
   */
  public static mps(options: MpsOptions = {}): GpuSharing {
    return new GpuSharing('MPS', undefined, options);
  }

  /** `TimeSlicing` or `MPS`. */
  public readonly strategy: string;
  /** The time-slice interval (time-slicing only). */
  public readonly interval?: TimeSliceInterval;
  /** The MPS compute share in percent (MPS only). */
  public readonly activeThreadPercentage?: number;
  /** The MPS pinned-memory limit per device (MPS only). */
  public readonly pinnedMemoryLimit?: Size;

  private constructor(strategy: string, interval: TimeSliceInterval | undefined, mps: MpsOptions | undefined) {
    this.strategy = strategy;
    this.interval = interval;
    this.activeThreadPercentage = mps?.activeThreadPercentage;
    this.pinnedMemoryLimit = mps?.pinnedMemoryLimit;
  }
}

import { GpuModel } from '../../accelerators/gpu-model';

/**
 * What one GPU of a model costs per hour, for cost rules, dashboards and the platform report.
 */
export interface GpuPrice {
  /**
   * The GPU model.
   */
  readonly model: GpuModel;

  /**
   * The price of one GPU for one hour, in the currency of the platform (e.g. 4.5).
   */
  readonly pricePerHour: number;
}

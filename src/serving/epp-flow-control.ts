import { Size } from 'cdk8s';

/**
 * Flow control's priority bands, fairness and ordering policies and in-flight eviction, as llm-d-router v0.10.0's
 * config loader reads them (apix/config/v1alpha1/endpointpickerconfig_types.go FlowControlConfig and
 * PriorityBandConfig; pkg/epp/config/loader/flowcontrol.go buildRegistryConfig and buildPriorityBand;
 * pkg/epp/flowcontrol/registry/config.go for the defaults).
 */

/**
 * How a priority band chooses which flow (fairness id, header `x-llm-d-inference-fairness-id`) dispatches next.
 */
export class EppFairnessPolicy {
  /**
   * The flow with the oldest waiting request goes first (`global-strict-fairness-policy`): the picker's default
   * (pkg/epp/flowcontrol/registry/config.go DefaultFairnessPolicyRef).
   */
  public static globalStrict(): EppFairnessPolicy {
    return new EppFairnessPolicy('global-strict-fairness-policy');
  }

  /**
   * Each active flow dispatches in turn, so one noisy tenant cannot starve the others (`round-robin-fairness-policy`,
   * pkg/epp/framework/plugins/flowcontrol/fairness/roundrobin, no parameters).
   */
  public static roundRobin(): EppFairnessPolicy {
    return new EppFairnessPolicy('round-robin-fairness-policy');
  }

  /** The plugin type. */
  public readonly pluginType: string;

  private constructor(pluginType: string) {
    this.pluginType = pluginType;
  }
}

/**
 * Which request of a flow's queue dispatches next.
 */
export class EppOrderingPolicy {
  /**
   * First come, first served (`fcfs-ordering-policy`): the picker's default (pkg/epp/flowcontrol/registry/config.go
   * DefaultOrderingPolicyRef).
   */
  public static firstComeFirstServed(): EppOrderingPolicy {
    return new EppOrderingPolicy('fcfs-ordering-policy');
  }

  /**
   * Earliest deadline (enqueue time plus the request's TTL) first (`edf-ordering-policy`,
   * pkg/epp/framework/plugins/flowcontrol/ordering/edf, no parameters).
   */
  public static earliestDeadline(): EppOrderingPolicy {
    return new EppOrderingPolicy('edf-ordering-policy');
  }

  /** The plugin type. */
  public readonly pluginType: string;

  private constructor(pluginType: string) {
    this.pluginType = pluginType;
  }
}

/**
 * The capacity and policies of a priority band (PriorityBandConfig of llm-d-router v0.10.0).
 */
export interface EppPriorityBandLimits {
  /**
   * The most requests the band holds, queued or in flight (`maxRequests`).
   *
   * @default - 5000 (pkg/epp/flowcontrol/registry/config.go defaultPriorityBandMaxRequests)
   */
  readonly maxRequests?: number;

  /**
   * The most request bytes the band holds (`maxBytes`).
   *
   * @default - 1 GB (pkg/epp/flowcontrol/registry/config.go defaultPriorityBandMaxBytes)
   */
  readonly maxBytes?: Size;

  /**
   * How the band chooses the next flow.
   *
   * @default EppFairnessPolicy.globalStrict()
   */
  readonly fairness?: EppFairnessPolicy;

  /**
   * How a flow's queue chooses the next request.
   *
   * @default EppOrderingPolicy.firstComeFirstServed()
   */
  readonly ordering?: EppOrderingPolicy;
}

/**
 * A priority band of its own: the capacity and policies of one InferenceObjective priority.
 */
export interface EppPriorityBand extends EppPriorityBandLimits {
  /**
   * The priority level the band serves (an InferenceObjective's `priority`).
   *
   * Higher priorities are served first.
   */
  readonly priority: number;
}

import { Size, SizeRoundingBehavior } from 'cdk8s';
import { IConstruct } from 'constructs';
import { EppFairnessPolicy, EppOrderingPolicy, EppPriorityBand, EppPriorityBandLimits } from './epp-flow-control';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { checkProps, opt, req } from '../internal/runtime-checks';

/** The checks and rendering of flow control's bands (the public types are in epp-flow-control.ts). Internal. */

/** The flow-control settings of EppFlowControlOptions this file renders. */
export interface FlowControlBands {
  readonly maxBytes?: Size;
  readonly priorityBands?: EppPriorityBand[];
  readonly defaultPriorityBand?: EppPriorityBandLimits;
  readonly defaultNegativePriorityBand?: EppPriorityBandLimits;
  readonly eviction?: boolean;
}

/** The settings flow control ignores when off (the loader warns and drops them, configloader.go flowControlSettingsConfigured). */
export const BAND_SETTINGS = ['maxBytes', 'priorityBands', 'defaultPriorityBand', 'defaultNegativePriorityBand', 'eviction'] as const;

const LIMIT_KEYS = { maxRequests: opt('number'), maxBytes: opt(Size), fairness: opt(EppFairnessPolicy), ordering: opt(EppOrderingPolicy) };

/** Checks the band settings; returns the fairness and ordering plugin types they reference (to declare). */
export function checkFlowControlBands(scope: IConstruct, prop: string, fc: FlowControlBands): string[] {
  const types: string[] = [];
  if (fc.maxBytes !== undefined) requireBytes(scope, `${prop}.maxBytes`, fc.maxBytes);
  const band = (p: string, b: EppPriorityBandLimits, withPriority: boolean) => {
    checkProps(scope, withPriority ? 'EppPriorityBand' : 'EppPriorityBandLimits', b,
      withPriority ? { priority: req('number'), ...LIMIT_KEYS } : LIMIT_KEYS, `${p}.`);
    if (b.maxRequests !== undefined) requireInteger(scope, `${p}.maxRequests`, b.maxRequests, 1);
    if (b.maxBytes !== undefined) requireBytes(scope, `${p}.maxBytes`, b.maxBytes);
    if (b.fairness) types.push(b.fairness.pluginType);
    if (b.ordering) types.push(b.ordering.pluginType);
  };
  if (fc.defaultPriorityBand) band(`${prop}.defaultPriorityBand`, fc.defaultPriorityBand, false);
  if (fc.defaultNegativePriorityBand) band(`${prop}.defaultNegativePriorityBand`, fc.defaultNegativePriorityBand, false);
  const seen = new Set<number>();
  (fc.priorityBands ?? []).forEach((b, i) => {
    const p = `${prop}.priorityBands[${i}]`;
    band(p, b, true);
    requireInteger(scope, `${p}.priority`, b.priority, -(2 ** 31), 2 ** 31 - 1);
    // registry/config.go WithPriorityBand: "duplicate priority level".
    if (seen.has(b.priority)) throw invalidProp(scope, `${p}.priority`, b.priority, 'a priority no other band has (the picker refuses duplicate priority levels)');
    seen.add(b.priority);
  });
  return [...new Set(types)];
}

/** The FlowControlConfig fields of the band settings (the caller adds maxRequests, TTL and the saturation detector). */
export function renderFlowControlBands(fc: FlowControlBands): { [key: string]: any } {
  const limits = (b: EppPriorityBandLimits) => ({
    ...(b.maxBytes !== undefined ? { maxBytes: bytes(b.maxBytes) } : {}),
    ...(b.maxRequests !== undefined ? { maxRequests: String(b.maxRequests) } : {}),
    ...(b.fairness ? { fairnessPolicyRef: b.fairness.pluginType } : {}),
    ...(b.ordering ? { orderingPolicyRef: b.ordering.pluginType } : {}),
  });
  return {
    ...(fc.maxBytes !== undefined ? { maxBytes: bytes(fc.maxBytes) } : {}),
    // A template band's `priority` is ignored (registry/config.go); the Go field is not omitempty, so it is sent as 0.
    ...(fc.defaultPriorityBand ? { defaultPriorityBand: { priority: 0, ...limits(fc.defaultPriorityBand) } } : {}),
    ...(fc.defaultNegativePriorityBand ? { defaultNegativePriorityBand: { priority: 0, ...limits(fc.defaultNegativePriorityBand) } } : {}),
    ...(fc.priorityBands?.length ? { priorityBands: fc.priorityBands.map((b) => ({ priority: b.priority, ...limits(b) })) } : {}),
    ...(fc.eviction ? { enableEviction: true } : {}),
  };
}

function bytes(s: Size): string {
  return String(s.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024);
}

function requireBytes(scope: IConstruct, prop: string, s: Size): void {
  const b = s.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
  if (!Number.isSafeInteger(b) || b < 1) throw new ValidationError(scope, prop, `got ${s.asString()}; expected a whole number of bytes, at least 1`);
}

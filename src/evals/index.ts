// Public API of src/evals/: one export line per public file (internal files: checker-script, eval-job, gate-context,
// results; the delivery backends export only their options).
export type { ArgoCdDeliveryOptions } from './argo-cd-delivery';
export { ArgoCdHookDeletePolicy, ArgoCdHookPhase } from './argo-cd-delivery';
export type { ArgoRolloutsDeliveryOptions } from './argo-rollouts-delivery';
export * from './eval-delivery';
export * from './eval-gate';
export type { CustomEvalSuiteOptions, LmEvalHarnessOptions } from './eval-suite';
export { EvalSuite } from './eval-suite';
export type { ErrorRateThresholdOptions, LatencyThresholdOptions } from './eval-threshold';
export { EvalThreshold, LatencyKind } from './eval-threshold';
export type { FluxDeliveryOptions, FluxSourceReference } from './flux-delivery';
export { FluxSourceKind } from './flux-delivery';
export type { PipelineGateOptions } from './pipeline-delivery';

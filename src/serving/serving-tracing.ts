import { IConstruct } from 'constructs';
import { ServerEngine } from './server-engine';
import { warn } from '../cluster/platform-warnings';
import { TraceTarget, traceTargetOf } from '../cluster/trace-target';
import * as k8s from '../imports/k8s';
import { namespaceOf } from '../internal/namespace';
import { allowTraffic } from '../security/tenant-network';

const GRPC = 'grpc';

/** How a traced container reaches the collector. */
export interface ServerTracing {
  /** The OTLP traces endpoint for an exporter given one explicitly (gRPC: the endpoint; HTTP: its `/v1/traces`). */
  readonly tracesEndpoint: string;
  /** The container's OpenTelemetry environment. */
  readonly env: k8s.EnvVar[];
}

/**
 * The tracing of a model server when the platform names a collector for it: the engine's exporter settings, the
 * pod identity as resource attributes, and the egress edge to the collector. An engine that sends no traces gets a
 * warning instead, so the setting is never dropped silently.
 */
export function serverTracing(
  scope: IConstruct, engine: ServerEngine, serviceName: string, podLabels: Record<string, string>,
): ServerTracing | undefined {
  const target = traceTargetOf(scope);
  if (!target) return undefined;
  if (!engine.sendsTraces) {
    warn(scope, `tracing: ${engine.displayName} is not wired to the platform's trace collector here; its pods send no traces (vLLM servers and endpoint pickers do)`);
    return undefined;
  }
  allowTracesOut(scope, 'otel', target, podLabels);
  return {
    tracesEndpoint: target.protocol === GRPC ? target.endpoint : `${target.endpoint.replace(/\/$/, '')}/v1/traces`,
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'OTEL_SERVICE_NAME', value: serviceName },
      { name: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', value: target.protocol },
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME)' },
    ],
  };
}

/**
 * The endpoint picker's tracing, as the llm-d chart renders `router.tracing` (llm-d-router v0.10.0
 * config/charts/routerlib/templates/_deployment.yaml, values.yaml sampling defaults). The picker exports over OTLP/gRPC
 * only (pkg/common/observability/tracing/telemetry.go `otlptracegrpc.New`): an HTTP collector gets a warning instead.
 */
export function pickerTracing(scope: IConstruct, podLabels: Record<string, string>): k8s.EnvVar[] | undefined {
  const target = traceTargetOf(scope);
  if (!target) return undefined;
  if (target.protocol !== GRPC) {
    warn(scope, `tracing: the endpoint picker exports traces over OTLP/gRPC only; the collector ${target.endpoint} takes ${target.protocol}, so the picker sends none`);
    return undefined;
  }
  allowTracesOut(scope, 'otel-epp', target, podLabels);
  return [
    { name: 'OTEL_SERVICE_NAME', value: 'llm-d-router/epp' },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: target.endpoint },
    { name: 'OTEL_TRACES_EXPORTER', value: 'otlp' },
    { name: 'OTEL_RESOURCE_ATTRIBUTES_NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    { name: 'OTEL_RESOURCE_ATTRIBUTES_POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    {
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: 'k8s.namespace.name=$(NAMESPACE),k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME),k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME)',
    },
    { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
    { name: 'OTEL_TRACES_SAMPLER_ARG', value: '0.1' },
  ];
}

/** The egress edge from the traced pods to the collector, when its namespace is known. */
function allowTracesOut(scope: IConstruct, name: string, target: TraceTarget, podLabels: Record<string, string>): void {
  if (target.namespace === undefined) return;
  const url = /:(\d+)(\/|$)/.exec(target.endpoint.replace(/^[a-z]+:\/\//, 'x://'));
  allowTraffic({
    scope,
    name,
    description: `traces to the OpenTelemetry collector ${target.endpoint}`,
    from: { namespace: namespaceOf(scope), podLabels },
    to: { namespace: target.namespace, podLabels: target.podLabels ?? {} },
    ports: [{ port: url ? Number(url[1]) : (target.protocol === GRPC ? 4317 : 4318) }],
  });
}

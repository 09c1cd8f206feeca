import { IConstruct } from 'constructs';
import { PlatformObservability } from './platform-observability';
import { OtlpProtocol } from './tracing';
import * as k8s from '../../imports/k8s';
import { namespaceOf } from '../../internal/namespace';
import { allowTraffic } from '../../security/tenant-network';

/**
 * The OpenTelemetry environment of a traced container, when the PlatformObservability that applies to `scope`
 * names a collector (else an empty list): `OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, and resource attributes with the pod's namespace and name from the downward API.
 * Also declares the egress edge from `podLabels` to the collector. Internal: serving and training constructs call it.
 */
export function otelEnv(scope: IConstruct, serviceName: string, podLabels: Record<string, string>): k8s.EnvVar[] {
  const collector = PlatformObservability.of(scope)?.tracing;
  if (!collector) return [];
  const protocol = collector.protocol ?? OtlpProtocol.GRPC;
  const collectorNamespace = collector.namespace ?? /^[a-z]+:\/\/[^.:/]+\.([a-z0-9-]+)(\.svc)?/.exec(collector.endpoint)?.[1];
  if (collectorNamespace !== undefined) {
    const url = /:(\d+)(\/|$)/.exec(collector.endpoint.replace(/^[a-z]+:\/\//, 'x://'));
    const port = url ? Number(url[1]) : (protocol === OtlpProtocol.GRPC ? 4317 : 4318);
    allowTraffic({
      scope,
      name: 'otel',
      description: `traces to the OpenTelemetry collector ${collector.endpoint}`,
      from: { namespace: namespaceOf(scope), podLabels },
      to: { namespace: collectorNamespace, podLabels: collector.podLabels ?? {} },
      ports: [{ port }],
    });
  }
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'OTEL_SERVICE_NAME', value: serviceName },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: collector.endpoint },
    { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value: protocol === OtlpProtocol.GRPC ? collector.endpoint : `${collector.endpoint.replace(/\/$/, '')}/v1/traces` },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: protocol },
    { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME)' },
  ];
}

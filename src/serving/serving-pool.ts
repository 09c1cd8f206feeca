import { ApiObject, Duration, Yaml } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { EndpointPickerObjects, EndpointPickerProps, EppFailureMode, InferenceObjectiveProps, ModelRewriteProps } from './endpoint-picker';
import { EndpointPickerConfig, ScorerInput } from './endpoint-picker-config';
import { EppEngineMetrics } from './epp-data-layer';
import { KV_EVENTS_PORT } from './epp-kv-events';
import { checkPickerConfig, metricsAuthObjects, pickerArgs, pickerConfig, pickerNeeds, pickerResources, pickerSettings, POOL_GROUP } from './epp-render';
import { EppVersion } from './epp-version';
import { GatewayProvider } from './gateway-provider';
import { checkLeastPrivilege, checkPoolSelector, checkTargetPorts, podLabelSetsFor, PodLabelSet, recordPodLabels, rulesFor } from './serving-checks';
import { serviceMonitor } from './serving-monitors';
import { describeGateway, gatewayPeer, prometheusPeer } from './serving-network';
import { pickerTracing } from './serving-tracing';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { FastApiObject } from '../imports/fast-api-object';
import * as inference from '../imports/inference';
import * as k8s from '../imports/k8s';
import * as llmd from '../imports/llmd';
import { invalidProp, requireInteger, show, validationMessage, ValidationError } from '../internal/errors';
import { labelValue, selectorLabels, standardLabels } from '../internal/labels';
import { claimName, dnsLabel, requireDnsLabel } from '../internal/names';
import { declarePodSpecs } from '../internal/pod-templates';
import { PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { allowTraffic, EgressNeedKind, IngressIsolationHandle, isolateIngress, needEgress } from '../security/tenant-network';
import { TrafficPeer } from '../security/traffic-edge';

export const EPP_GRPC_PORT = 9002;
export const EPP_HEALTH_PORT = 9003;
export const EPP_METRICS_PORT = 9090;
const CONFIG_DIR = '/config';
const CONFIG_FILE = 'epp-config.yaml';

/** EndpointPickerConfig texts by content: the services of a fleet share a few configs, and YAML output is slow. */
const CONFIG_TEXTS = new Map<string, string>();

function configText(doc: { [key: string]: any }): string {
  // Keep what JSON drops but YAML writes (undefined, NaN, Infinity) apart in the key.
  const key = JSON.stringify(doc, (_, v) => (v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? `\u0000${String(v)}` : v));
  let text = CONFIG_TEXTS.get(key);
  if (text === undefined) {
    text = Yaml.stringify(doc);
    if (CONFIG_TEXTS.size >= 256) CONFIG_TEXTS.clear();
    CONFIG_TEXTS.set(key, text);
  }
  return text;
}

/** What the pool needs to know about the service behind it. */
export interface PoolTarget {
  /** The pool's name (the service's resource name). */
  readonly name: string;
  readonly namespace?: string;
  /** The service's app.kubernetes.io/instance value. */
  readonly instance: string;
  readonly selector: { [key: string]: string };
  /** Whether the service is prefill/decode disaggregated (the picker then needs a disaggregated config). */
  readonly disaggregated: boolean;
  readonly pods: PodLabelSet;
  readonly port: number;
  readonly containerPorts: number[];
  readonly healthPath: string;
  readonly metricsPath: string;
  /** The server's display name, for messages. */
  readonly serverName: string;
  /** The server's short name (app.kubernetes.io/name). */
  readonly serverKind: string;
  readonly eppEngineType?: string;
  /** The metric specs of an engine the picker has no built-in mapping for. */
  readonly eppEngineMetrics?: EppEngineMetrics;
  readonly inputs: ScorerInput[];
  /** The model names the service answers to (served name and LoRA adapters). */
  readonly servedNames: string[];
}

export interface ServingPoolProps {
  readonly target: PoolTarget;
  readonly provider: GatewayProvider;
  readonly picker: EndpointPickerProps;
  readonly objectives: InferenceObjectiveProps[];
  readonly rewrites: ModelRewriteProps[];
  readonly monitoring?: { labels: { [key: string]: string }; interval?: Duration };
}

/**
 * An InferencePool (inference.networking.k8s.io/v1) over one service's pods, its endpoint picker (Deployment,
 * Service, ServiceAccount, Role, RoleBinding, ConfigMap), its InferenceObjectives and model rewrites, a
 * ServiceMonitor for the picker, and the extras the gateway provider needs. Created under the InferenceService when
 * the first route attaches it.
 */
export class ServingPool extends Construct {
  public readonly inferencePool: ApiObject;
  public readonly picker: EndpointPickerObjects;
  public readonly objectives: ApiObject[] = [];
  public readonly modelRewrite?: ApiObject;
  public readonly pickerMonitor?: ApiObject;
  public readonly provider: GatewayProvider;
  public readonly eppName: string;
  /** Whether the picker runs flow control (holds requests in its queue). */
  public readonly flowControl: boolean;
  /** The picker's release. */
  public readonly eppVersion: EppVersion;
  private readonly target: PoolTarget;
  private readonly eppSelector: { [key: string]: string };
  private readonly gateways = new Set<string>();
  private readonly isolation: IngressIsolationHandle;
  private gkeTimeout?: { seconds: number; route: string };

  constructor(scope: Construct, id: string, props: ServingPoolProps) {
    super(scope, id);
    const t = props.target;
    this.target = t;
    this.provider = props.provider;
    const service = scope;
    const version = props.picker.version ?? EppVersion.V0_10_0;
    const replicas = requireInteger(service, 'endpointPicker.replicas', props.picker.replicas ?? 1, 1, 10);
    if (replicas > 1 && !version.supportsHighAvailability) {
      throw invalidProp(service, 'endpointPicker.replicas', replicas, `1 with EppVersion v${version.version} (use EppVersion.V0_10_0 for a highly available picker)`);
    }
    const readsLoad = t.inputs.includes(ScorerInput.QUEUE) && t.inputs.includes(ScorerInput.KV_CACHE);
    const config = props.picker.config ?? (t.disaggregated ? EndpointPickerConfig.disaggregated()
      : readsLoad ? EndpointPickerConfig.defaults() : EndpointPickerConfig.metricFree());
    if (t.disaggregated && !config.prefill) {
      throw new ValidationError(service, 'endpointPicker.config', 'is a single scheduling profile, but the service is disaggregated: ' +
        'give EndpointPickerConfig.disaggregated({ decode, prefill, decider }) so the picker chooses a prefill pod too');
    }
    if (!t.disaggregated && config.prefill) {
      throw new ValidationError(service, 'endpointPicker.config', 'is a disaggregated config (prefill and decode profiles), but the service ' +
        'has no disaggregation; set disaggregation or give a single profile');
    }
    config._validate(service, 'endpointPicker.config', { name: t.serverName, inputs: t.inputs }, version);
    const ns0 = t.namespace;
    const configInput = {
      config,
      version,
      eppEngineType: t.eppEngineType,
      eppEngineMetrics: t.eppEngineMetrics,
      metricsPath: t.metricsPath,
      servedModelName: t.servedNames[0],
      // The service's ClusterIP Service (server-objects.ts), in the picker's namespace.
      renderUrl: `http://${t.name}${ns0 ? `.${ns0}.svc` : ''}:${t.port}`,
      hasObjectives: props.objectives.length > 0,
      picker: props.picker,
    };
    const settings = pickerSettings(service, configInput);
    this.flowControl = settings.flowControl;
    this.eppVersion = version;
    const problem = props.provider._problem();
    if (problem) throw new ValidationError(service, 'route.provider', problem);

    const profile = ClusterProfile.of(service);
    profile._requireAddon(service, 'route', ClusterAddon.INFERENCE_EXTENSION, 'An InferencePool');
    const hasLlmdCrds = profile.hasAddon(ClusterAddon.LLM_D_ROUTER);
    if (props.objectives.length && !hasLlmdCrds) profile._requireAddon(service, 'objectives', ClusterAddon.LLM_D_ROUTER, 'An InferenceObjective');
    if (props.rewrites.length && !hasLlmdCrds) profile._requireAddon(service, 'modelRewrites', ClusterAddon.LLM_D_ROUTER, 'An InferenceModelRewrite');

    const ns = t.namespace;
    this.eppName = dnsLabel([t.name, 'epp']);
    const eppIdentity = { name: 'llm-d-router-epp', instance: t.instance, component: 'endpoint-picker', version: version.version };
    const eppLabels = standardLabels(eppIdentity);
    const eppSelector = selectorLabels(eppIdentity);
    const meta = (kind: string, name: string, labels = eppLabels) => {
      claimName(service, kind, ns, name);
      return { name, namespace: ns, labels };
    };

    // RBAC: exactly what the picker reads; leases only when it elects a leader.
    const needs = pickerNeeds({ llmdCrds: hasLlmdCrds, replicas });
    const rules = rulesFor(needs);
    checkLeastPrivilege(service, rules, needs);

    const serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: meta('ServiceAccount', this.eppName), automountServiceAccountToken: false,
    });
    const role = new k8s.KubeRole(this, 'Role', { metadata: meta('Role', this.eppName), rules });
    const roleBinding = new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta('RoleBinding', this.eppName),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.eppName },
      subjects: [{ kind: 'ServiceAccount', name: this.eppName, namespace: ns }],
    });

    const configDoc = pickerConfig(configInput, settings);
    checkPickerConfig(service, 'endpointPicker.config', configDoc);
    const configYaml = configText(configDoc);
    const configMap = new k8s.KubeConfigMap(this, 'ConfigMap', { metadata: meta('ConfigMap', this.eppName), data: { [CONFIG_FILE]: configYaml } });

    const tracingEnv = pickerTracing(service, eppSelector);
    const args = pickerArgs(service, {
      tracing: tracingEnv !== undefined,
      version,
      replicas,
      picker: props.picker,
      poolName: t.name,
      poolNamespace: t.namespace,
      eppTls: props.provider.eppTls,
      settings,
      configPath: `${CONFIG_DIR}/${CONFIG_FILE}`,
      ports: { grpc: EPP_GRPC_PORT, health: EPP_HEALTH_PORT, metrics: EPP_METRICS_PORT },
    });
    const builder = new PodSpecBuilder(service, resolveSecurity(service, {}));
    builder.serviceAccountName = this.eppName;
    builder.automountServiceAccountToken = true; // the picker watches pods and the pool
    builder.terminationGracePeriodSeconds = 130;
    builder.addVolume({ name: 'config', configMap: { name: this.eppName } });
    builder.addScratch('tmp', '/tmp');
    if (replicas > 1) builder.spreadAcrossNodes(eppSelector);
    builder.addContainer({
      name: 'epp',
      image: version.image,
      args,
      ports: [
        { name: 'grpc', containerPort: EPP_GRPC_PORT, protocol: 'TCP' },
        { name: 'grpc-health', containerPort: EPP_HEALTH_PORT, protocol: 'TCP' },
        { name: 'metrics', containerPort: EPP_METRICS_PORT, protocol: 'TCP' },
      ],
      env: [
        { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ...(tracingEnv ?? []),
      ],
      livenessProbe: { grpc: { port: EPP_HEALTH_PORT, service: version.livenessService }, initialDelaySeconds: 5, periodSeconds: 10 },
      readinessProbe: { grpc: { port: EPP_HEALTH_PORT, service: version.readinessService }, periodSeconds: 2 },
      resources: pickerResources(service, props.picker.resources),
      volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
    });
    const podSpec = builder.build();
    recordPodLabels(service, { owner: `${service.node.path} (endpoint picker)`, namespace: ns, labels: eppLabels });
    const deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta('Deployment', this.eppName),
      spec: {
        replicas,
        // One active picker: a rolling update would block the leader hand-off (llm-d chart).
        strategy: { type: 'Recreate' },
        selector: { matchLabels: eppSelector },
        template: { metadata: { labels: eppLabels }, spec: podSpec },
      },
    });
    declarePodSpecs(deployment, () => [{ path: 'spec.template.spec', spec: podSpec, labels: eppLabels }]);
    const tls = props.provider.eppTls;
    const eppService = new k8s.KubeService(this, 'Service', {
      metadata: meta('Service', this.eppName),
      spec: {
        type: 'ClusterIP',
        selector: eppSelector,
        ports: [
          { name: 'grpc-ext-proc', port: EPP_GRPC_PORT, targetPort: k8s.IntOrString.fromString('grpc'), protocol: 'TCP', appProtocol: tls ? 'http2' : 'kubernetes.io/h2c' },
          { name: 'http-metrics', port: EPP_METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'http' },
        ],
      },
    });
    this.picker = { deployment, service: eppService, serviceAccount, configMap, role, roleBinding };

    // The pool: selects exactly the service's pods, on the server's port, with this picker.
    checkTargetPorts(service, [t.port], t.containerPorts);
    const poolLabels = standardLabels({ name: t.serverKind, instance: t.instance, component: 'inference-pool' });
    claimName(service, 'InferencePool', ns, t.name);
    this.inferencePool = new inference.InferencePool(this, 'InferencePool', {
      metadata: { name: t.name, namespace: ns, labels: poolLabels },
      spec: {
        selector: { matchLabels: t.selector },
        targetPorts: [{ number: t.port }],
        appProtocol: inference.InferencePoolSpecAppProtocol.HTTP,
        endpointPickerRef: {
          kind: 'Service',
          name: this.eppName,
          port: { number: EPP_GRPC_PORT },
          failureMode: (props.picker.failureMode ?? EppFailureMode.FAIL_OPEN) === EppFailureMode.FAIL_OPEN
            ? inference.InferencePoolSpecEndpointPickerRefFailureMode.FAIL_OPEN
            : inference.InferencePoolSpecEndpointPickerRefFailureMode.FAIL_CLOSE,
        },
      },
    });
    this.node.addValidation({
      validate: () => {
        try {
          checkPoolSelector(service, t.selector, t.pods, podLabelSetsFor(service, t.pods.namespace, t.selector));
          return [];
        } catch (e) {
          if (ValidationError.isValidationError(e)) return [validationMessage(e.prop, e.message.slice(e.message.indexOf(': ') + 2))];
          throw e;
        }
      },
    });

    this.addObjectives(service, props.objectives, poolLabels);
    this.modelRewrite = this.addRewrites(service, props.rewrites, poolLabels);
    if (props.monitoring) {
      this.pickerMonitor = serviceMonitor({
        scope: this,
        id: 'PickerMonitor',
        name: this.eppName,
        namespace: ns,
        labels: { ...eppLabels, ...props.monitoring.labels },
        selector: eppSelector,
        port: 'http-metrics',
        path: '/metrics',
        interval: props.monitoring.interval,
      });
    }
    if (settings.metricsAuth) {
      const metricsAuthClusterRole = metricsAuthObjects(this, service, {
        eppName: this.eppName, namespace: ns, labels: eppLabels, monitor: this.pickerMonitor,
      });
      this.picker = { ...this.picker, metricsAuthClusterRole };
    }
    this.addProviderExtras(service, poolLabels);

    // Traffic: the picker scrapes the servers' metrics on the serving port; Prometheus scrapes the picker. The
    // gateway's edges come with each route (attach). Outside a tenant the picker isolates its pods with them.
    this.eppSelector = eppSelector;
    allowTraffic({
      scope: this,
      name: 'picker-scrape',
      description: `the endpoint picker ${this.eppName} reads the metrics of ${t.name} (${t.serverName}) on its serving port`,
      from: { namespace: ns, podLabels: eppSelector },
      to: { namespace: ns, podLabels: t.selector },
      ports: [{ port: t.port }],
    });
    if (config._inputs().includes(ScorerInput.KV_EVENTS)) {
      allowTraffic({
        scope: this,
        name: 'picker-kv-events',
        description: `the endpoint picker ${this.eppName} subscribes to the KV-cache events of ${t.name} (${t.serverName})`,
        from: { namespace: ns, podLabels: eppSelector },
        to: { namespace: ns, podLabels: t.selector },
        ports: [{ port: KV_EVENTS_PORT }],
      });
    }
    if (this.pickerMonitor) {
      allowTraffic({
        scope: this,
        name: 'picker-metrics',
        description: `Prometheus scrapes the endpoint picker ${this.eppName} on port metrics`,
        from: prometheusPeer(this),
        to: { namespace: ns, podLabels: eppSelector },
        ports: [{ port: 'metrics' }],
      });
    }
    // The picker watches Pods and the InferencePool (and objectives, leases) through the API server, whose address
    // only the cluster knows: a tenant resolves the need from its apiServer prop.
    needEgress({
      scope: this,
      name: 'apiserver',
      kind: EgressNeedKind.KUBE_API_SERVER,
      description: `the endpoint picker ${this.eppName} watches Pods and InferencePools`,
      from: { namespace: ns, podLabels: eppSelector },
      destination: 'the Kubernetes API server',
    });
    this.isolation = isolateIngress({
      scope: this,
      id: 'NetworkPolicy',
      name: this.eppName,
      namespace: ns,
      selector: eppSelector,
      podLabels: eppLabels,
      labels: eppLabels,
      description: `the endpoint picker pods of ${t.name}`,
    });
  }

  /** The NetworkPolicy isolating the picker pods outside a tenant (undefined in one). */
  public get networkPolicy(): ApiObject | undefined {
    return this.isolation.policy;
  }

  /**
   * Checks that another route may use this pool through `provider`, with `requestTimeout`.
   */
  public attach(route: IConstruct, provider: GatewayProvider, requestTimeout?: Duration, gatewayNamespace?: string): void {
    const service = this.node.scope!;
    if (provider.name !== this.provider.name || provider.eppTls !== this.provider.eppTls) {
      throw new ValidationError(route, 'provider', `${service.node.path} is already routed through ${this.provider.name} ` +
        `(picker TLS ${this.provider.eppTls ? 'on' : 'off'}); its endpoint picker serves one gateway configuration, so every ` +
        `route to it must use the same provider (got ${provider.name}, TLS ${provider.eppTls ? 'on' : 'off'})`);
    }
    if (this.provider._traits.gkePolicies && requestTimeout) this.addGkeTimeout(route, requestTimeout);
    this.allowGateway(provider, gatewayNamespace);
  }

  /**
   * The gateway reaches the picker on its ext-proc port and the pods the picker chose on the serving port; once per
   * gateway namespace.
   */
  private allowGateway(provider: GatewayProvider, gatewayNamespace: string | undefined): void {
    const key = provider._traits.gkePolicies ? '(gke)' : gatewayNamespace ?? '';
    if (this.gateways.has(key)) return;
    this.gateways.add(key);
    const from: TrafficPeer = gatewayPeer(provider, gatewayNamespace);
    const who = describeGateway(provider, gatewayNamespace);
    const suffix = this.gateways.size > 1 ? `-${this.gateways.size}` : '';
    const t = this.target;
    allowTraffic({
      scope: this,
      name: `gateway-epp${suffix}`,
      description: `${who} call the endpoint picker ${this.eppName} (ext-proc)`,
      from,
      to: { namespace: t.namespace, podLabels: this.eppSelector },
      ports: [{ port: EPP_GRPC_PORT }],
    });
    allowTraffic({
      scope: this,
      name: `gateway${suffix}`,
      description: `${who} send requests to ${t.name} (${t.serverName})`,
      from,
      to: { namespace: t.namespace, podLabels: t.selector },
      ports: [{ port: t.port }],
    });
  }

  private addObjectives(service: IConstruct, objectives: InferenceObjectiveProps[], labels: { [key: string]: string }): void {
    const seen = new Set<string>();
    objectives.forEach((o, i) => {
      const prop = `objectives[${i}]`;
      requireDnsLabel(service, `${prop}.name`, o.name);
      requireInteger(service, `${prop}.priority`, o.priority, -(2 ** 31), 2 ** 31 - 1);
      if (seen.has(o.name)) throw invalidProp(service, `${prop}.name`, o.name, 'a name no other objective of the service has');
      seen.add(o.name);
      claimName(service, 'InferenceObjective', this.target.namespace, o.name);
      this.objectives.push(new llmd.InferenceObjective(this, `Objective-${o.name}`, {
        metadata: { name: o.name, namespace: this.target.namespace, labels },
        spec: { priority: o.priority, poolRef: { group: POOL_GROUP, kind: 'InferencePool', name: this.target.name } },
      }));
    });
  }

  private addRewrites(service: IConstruct, rewrites: ModelRewriteProps[], labels: { [key: string]: string }): ApiObject | undefined {
    if (rewrites.length === 0) return undefined;
    const aliases = new Set<string>();
    const rules = rewrites.map((r, i) => {
      const prop = `modelRewrites[${i}]`;
      if (!r.model || r.model.length > 253) throw invalidProp(service, `${prop}.model`, r.model, 'a model name of 1 to 253 characters');
      if (aliases.has(r.model)) throw invalidProp(service, `${prop}.model`, r.model, 'a model name no other rewrite of the service matches');
      aliases.add(r.model);
      if (r.targets.length === 0) throw new ValidationError(service, `${prop}.targets`, 'is empty; a rewrite needs at least one target');
      const weighted = r.targets.filter((x) => x.weight !== undefined).length;
      if (weighted !== 0 && weighted !== r.targets.length) {
        throw new ValidationError(service, `${prop}.targets`, `${weighted} of ${r.targets.length} targets have a weight; ` +
          'either every target has a weight or none has (the picker ignores partial weights)');
      }
      r.targets.forEach((x, j) => {
        if (!this.target.servedNames.includes(x.model)) {
          throw invalidProp(service, `${prop}.targets[${j}].model`, x.model, `a model the service serves: ${this.target.servedNames.map((n) => show(n)).join(', ')}`);
        }
        if (x.weight !== undefined) requireInteger(service, `${prop}.targets[${j}].weight`, x.weight, 1, 1000000);
      });
      return {
        matches: [{ model: { type: llmd.InferenceModelRewriteSpecRulesMatchesModelType.EXACT, value: r.model } }],
        targets: r.targets.map((x) => ({ modelRewrite: x.model, weight: x.weight })),
      };
    });
    const name = dnsLabel([this.target.name, 'rewrites']);
    claimName(service, 'InferenceModelRewrite', this.target.namespace, name);
    return new llmd.InferenceModelRewrite(this, 'ModelRewrite', {
      metadata: { name, namespace: this.target.namespace, labels },
      spec: { poolRef: { group: POOL_GROUP, kind: 'InferencePool', name: this.target.name }, rules },
    });
  }

  private addProviderExtras(service: IConstruct, labels: { [key: string]: string }): void {
    const traits = this.provider._traits;
    const ns = this.target.namespace;
    if (traits.destinationRuleForTls && this.provider.eppTls) {
      claimName(service, 'DestinationRule', ns, this.eppName);
      new FastApiObject(this, 'DestinationRule', {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: this.eppName, namespace: ns, labels },
        spec: {
          host: ns ? `${this.eppName}.${ns}.svc.cluster.local` : this.eppName,
          // The picker's certificate is self-signed: encrypt, without verification (llm-d's Istio chart does the same).
          trafficPolicy: { tls: { mode: 'SIMPLE', insecureSkipVerify: true } },
        },
      });
    }
    if (traits.gkePolicies) {
      claimName(service, 'HealthCheckPolicy', ns, this.target.name);
      new FastApiObject(this, 'HealthCheckPolicy', {
        apiVersion: 'networking.gke.io/v1',
        kind: 'HealthCheckPolicy',
        metadata: { name: this.target.name, namespace: ns, labels },
        spec: {
          targetRef: { group: POOL_GROUP, kind: 'InferencePool', name: this.target.name },
          default: { config: { type: 'HTTP', httpHealthCheck: { requestPath: this.target.healthPath, port: this.target.port } } },
        },
      });
    }
  }

  private addGkeTimeout(route: IConstruct, timeout: Duration): void {
    const seconds = timeout.toSeconds();
    if (this.gkeTimeout) {
      if (this.gkeTimeout.seconds !== seconds) {
        throw new ValidationError(route, 'requestTimeout', `${seconds}s conflicts with ${this.gkeTimeout.seconds}s set by ${this.gkeTimeout.route}: ` +
          'on GKE the timeout is a GCPBackendPolicy of the pool, one per pool');
      }
      return;
    }
    this.gkeTimeout = { seconds, route: route.node.path };
    const name = this.target.name;
    claimName(this.node.scope!, 'GCPBackendPolicy', this.target.namespace, name);
    new FastApiObject(this, 'GCPBackendPolicy', {
      apiVersion: 'networking.gke.io/v1',
      kind: 'GCPBackendPolicy',
      metadata: { name, namespace: this.target.namespace, labels: { 'app.kubernetes.io/instance': labelValue(this.target.instance) } },
      spec: { targetRef: { group: POOL_GROUP, kind: 'InferencePool', name }, default: { timeoutSec: seconds } },
    });
  }
}

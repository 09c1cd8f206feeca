import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AgentPeer, AgentSandboxProps, AgentToolEndpoint } from './agent-sandbox-props';
import { renderLifecycle } from './claim-lifecycle';
import { SandboxClaimOptions, SandboxLifecycle, SandboxShutdownPolicy } from './sandbox-lifecycle';
import { SandboxRuntime } from './sandbox-runtime';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as sandbox from '../imports/agent-sandbox';
import { FastApiObject } from '../imports/fast-api-object';
import * as k8s from '../imports/k8s';
import { cidrStrictlyContains, isCidr } from '../internal/cidr';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { selectorLabels, standardLabels } from '../internal/labels';
import { claimName, dnsLabel, requireDnsLabel, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { declarePodSpecs } from '../internal/pod-templates';
import { requireLabels } from '../internal/qualified-name';
import { requireQuantity } from '../internal/quantity';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { requireEnvName } from '../security/env-name';
import { PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { requireSecretKeyReference, requireSecretRef } from '../security/secret-reference';
import { allowTraffic } from '../security/tenant-network';

export * from './agent-sandbox-props';

/** The lifecycle fields, on the AgentSandbox (`lifecycle.`) and on each claim (`options.`). */
const LIFECYCLE_CHECKS = {
  ttlAfterFinished: opt('duration'),
  shutdownTime: opt('string'),
  shutdownPolicy: opt(SandboxShutdownPolicy, 'SandboxShutdownPolicy.RETAIN, DELETE or DELETE_FOREGROUND'),
};

/** The cloud metadata address, which no sandbox reaches whatever range it is given. */
const METADATA_CIDR = '169.254.169.254/32';
const SECRETS_DIR = '/var/run/secrets/agent';

/**
 * A sandbox for an agent, or for the code-execution tool an agent calls, on kubernetes-sigs/agent-sandbox (v0.5.6
 * CRDs): a SandboxTemplate whose pods run behind a sandbox runtime (gVisor or Kata), restricted, without a
 * service-account token, with a read-only root, fixed CPU and memory, and secrets only as files; an optional
 * SandboxWarmPool of ready sandboxes for claims; a NetworkPolicy that closes egress except DNS and the declared
 * model and tool endpoints (never the cloud metadata address) and admits only the declared callers; and the
 * SandboxClaims declared with `addClaim`, each with a lifecycle (TTL after the sandbox finished, a fixed end, and what
 * happens then).
 *
 * The template sets `networkPolicyManagement: Unmanaged`: the controller's own default policy would open egress to the
 * public internet (extensions/api/v1beta1/sandboxtemplate_types.go, v0.5.6).
 *
 * ```ts
 * new AgentSandbox(tenant, 'code-exec', {
 *   image: 'ghcr.io/acme/python-sandbox@sha256:...',
 *   runtime: SandboxRuntime.gvisor(),
 *   port: 8888,
 *   callers: { app: 'agent' },
 *   modelEndpoints: [{ podLabels: llm.selector, port: 8000 }],
 *   warmPool: 2,
 *   lifecycle: { ttlAfterFinished: Duration.minutes(10) },
 * });
 * sandbox.addClaim('nightly-eval', { shutdownTime: '2027-01-31T18:00:00Z' });
 * ```
 */
export class AgentSandbox extends Construct {
  /** The SandboxTemplate name (claims name it). */
  public readonly name: string;
  /** The namespace, when the chart or a tenant sets one. */
  public readonly namespace?: string;
  /** The pods' `runtimeClassName`. */
  public readonly runtimeClassName: string;
  /** The labels selecting the sandbox pods. */
  public readonly selector: { [key: string]: string };
  /** The SandboxTemplate. */
  public readonly template: ApiObject;
  /** The NetworkPolicy closing the sandboxes' traffic. */
  public readonly networkPolicy: ApiObject;
  /** The RuntimeClass, when the library emits it (gVisor). */
  public readonly runtimeClass?: ApiObject;

  private pool?: ApiObject;
  private readonly lifecycle: SandboxLifecycle;
  private readonly claimObjects: ApiObject[] = [];
  private readonly labels: { [key: string]: string };

  constructor(scope: Construct, id: string, props: AgentSandboxProps) {
    super(scope, id);
    checkProps(this, 'AgentSandboxProps', props, {
      image: req('string', 'an image reference such as "ghcr.io/acme/sandbox@sha256:..."'),
      runtime: req(SandboxRuntime, 'SandboxRuntime.gvisor() or SandboxRuntime.kata()'),
      command: opt('string[]'),
      args: opt('string[]'),
      env: opt('string-map'),
      secretFiles: opt('array'),
      cpu: opt('string'),
      memory: opt('string'),
      port: req('number', 'the TCP port the sandbox serves on, e.g. 8888'),
      callers: opt('string-map'),
      modelEndpoints: opt('array'),
      toolEndpoints: opt('array'),
      warmPool: opt('number'),
      lifecycle: opt('object'),
      name: opt('string'),
    });
    this.lifecycle = checkProps(this, 'SandboxLifecycle', props.lifecycle ?? undefined, LIFECYCLE_CHECKS, 'lifecycle.');
    ClusterProfile.of(this)._requireAddon(this, 'image', ClusterAddon.AGENT_SANDBOX, 'An AgentSandbox (agent-sandbox SandboxTemplate)');
    this.runtimeClass = props.runtime._bind(this, 'runtime');
    this.runtimeClassName = props.runtime.runtimeClassName;
    if (typeof props.image !== 'string' || props.image.trim() === '' || /\s/.test(props.image)) {
      throw invalidProp(this, 'image', props.image, 'an image reference such as "ghcr.io/acme/sandbox:1.0"');
    }
    this.name = props.name !== undefined ? requireDnsLabel(this, 'name', props.name) : resourceName(this);
    this.namespace = namespaceOf(this);
    claimName(this, 'SandboxTemplate', this.namespace, this.name);
    const identity = { name: 'agent-sandbox', instance: this.name, component: 'sandbox' };
    const labels = standardLabels(identity);
    this.labels = labels;
    this.selector = selectorLabels(identity);

    const spec = this.podSpec(props);
    this.template = new sandbox.SandboxTemplate(this, 'SandboxTemplate', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        podTemplate: { metadata: { labels: { ...labels } }, spec },
        networkPolicyManagement: sandbox.SandboxTemplateSpecNetworkPolicyManagement.UNMANAGED,
      },
    });
    declarePodSpecs(this.template, () => [{ path: 'spec.podTemplate.spec', spec, labels }]);
    this.networkPolicy = this.closeTraffic(props, labels);
    const warm = requireInteger(this, 'warmPool', props.warmPool ?? 0, 0, 1000);
    if (warm > 0) this.addPool(warm);
    renderLifecycle(this, 'lifecycle.', {}, this.lifecycle);
  }

  /** The SandboxWarmPool, when `warmPool` is above 0 or a claim is declared (claims name the pool). */
  public get warmPool(): ApiObject | undefined {
    return this.pool;
  }

  /** The SandboxClaims declared with `addClaim`, in order. */
  public get claims(): ApiObject[] {
    return [...this.claimObjects];
  }

  /**
   * Declares a SandboxClaim of this sandbox (`extensions.agents.x-k8s.io/v1beta1`), in the sandbox's namespace: the
   * agent-sandbox controller binds it to a ready sandbox of the warm pool, or starts one from the template when none is
   * ready, and ends it by its lifecycle (`options` over the sandbox's `lifecycle`). A v1beta1 claim names a
   * SandboxWarmPool, not a template (`warmPoolRef` is required, extensions/api/v1beta1/sandboxclaim_types.go v0.5.6),
   * so a sandbox without `warmPool` gets one of 0 replicas with its first claim: every claim then starts cold.
   *
   * @param id The claim's construct id, unique among this sandbox's claims.
   * @param options The claim's name and lifecycle.
   * @returns The SandboxClaim.
   */
  public addClaim(id: string, options: SandboxClaimOptions = {}): ApiObject {
    const idCheck = { kind: 'string', required: true, expected: 'a construct id such as "session-1"' } as const;
    checkProps(this, 'addClaim', { id }, { id: idCheck });
    if (id === '' || id.includes('/')) throw invalidProp(this, 'id', id, 'a non-empty construct id without "/", such as "session-1"');
    const scope = `${this.node.path}/${id}`;
    options = checkProps(scope, 'SandboxClaimOptions', options ?? undefined, { ...LIFECYCLE_CHECKS, name: opt('string') }, 'options.');
    const name = options.name !== undefined && options.name !== null ? requireDnsLabel(scope, 'options.name', options.name) : dnsLabel([this.name, id]);
    const lifecycle = renderLifecycle(scope, 'options.', this.lifecycle, options);
    if (!this.pool) this.addPool(0);
    if (this.node.tryFindChild(id)) {
      throw new ValidationError(this, 'id', `got ${JSON.stringify(id)}, which another claim or object of this AgentSandbox uses; give the claim another id`);
    }
    // Rendered by the generated serializer before cdk8s sees it: the L1 class hands `shutdownTime` (a Date) to cdk8s's
    // resolver, which refuses to render a Date.
    const claim = new FastApiObject(this, id, {
      ...sandbox.SandboxClaim.GVK,
      metadata: { name, namespace: this.namespace, labels: standardLabels({ name: 'agent-sandbox', instance: this.name, component: 'claim' }) },
      spec: sandbox.toJson_SandboxClaimSpec({ warmPoolRef: { name: this.pool!.metadata.name! }, lifecycle }),
    });
    claimName(claim, 'SandboxClaim', this.namespace, name);
    this.claimObjects.push(claim);
    return claim;
  }

  private addPool(replicas: number): void {
    claimName(this, 'SandboxWarmPool', this.namespace, this.name);
    this.pool = new sandbox.SandboxWarmPool(this, 'SandboxWarmPool', {
      metadata: { name: this.name, namespace: this.namespace, labels: this.labels },
      spec: { replicas, sandboxTemplateRef: { name: this.name } },
    });
  }

  private podSpec(props: AgentSandboxProps): any {
    const builder = new PodSpecBuilder(this, resolveSecurity(this, { readOnlyRootFilesystem: true }));
    builder.automountServiceAccountToken = false;
    builder.extra = { runtimeClassName: this.runtimeClassName };
    builder.addScratch('tmp', '/tmp');
    const mounts = this.mountSecrets(builder, props);
    const env = props.env ?? {};
    for (const name of Object.keys(env).sort()) requireEnvName(this, `env.${name}`, name);
    const cpu = props.cpu ?? '1';
    const memory = props.memory ?? '2Gi';
    requireQuantity(this, 'cpu', cpu, '"1" or "500m"');
    requireQuantity(this, 'memory', memory, '"2Gi" or "512Mi"');
    const resources = { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) };
    const port = requireInteger(this, 'port', props.port, 1, 65535);
    const tcp = { tcpSocket: { port: k8s.IntOrString.fromNumber(port) } };
    builder.addContainer({
      name: 'sandbox',
      image: props.image,
      command: props.command ? [...props.command] : undefined,
      args: props.args ? [...props.args] : undefined,
      env: [{ name: 'HOME', value: '/tmp' }, ...Object.keys(env).sort().map((name) => ({ name, value: env[name] }))],
      ports: [{ name: 'sandbox', containerPort: port, protocol: 'TCP' }],
      readinessProbe: { ...tcp, periodSeconds: 5 },
      livenessProbe: { ...tcp, periodSeconds: 10, failureThreshold: 3 },
      resources: { requests: resources, limits: resources },
      volumeMounts: mounts,
    }, { inputs: { envProp: (n) => `env.${n}`, argProp: () => 'args', commandProp: 'command', alternative: 'keep it in a Secret and read it as a file: secretFiles: [{ secret: { secretName: \'<secret>\', key: \'<key>\' }, fileName: \'<file>\' }]' } });
    return builder.buildJson();
  }

  /** The secret keys as read-only files, one projected volume, only this sandbox's. */
  private mountSecrets(builder: PodSpecBuilder, props: AgentSandboxProps): k8s.VolumeMount[] {
    const files = props.secretFiles ?? [];
    if (!files.length) return [];
    const seen = new Set<string>();
    const sources = files.map((f, i) => {
      const prop = `secretFiles[${i}]`;
      requireSecretKeyReference(this, `${prop}.secret`, f.secret);
      requireSecretRef(this, `${prop}.secret.secretName`, f.secret.secretName, f.secret.key);
      if (typeof f.fileName !== 'string' || !/^[A-Za-z0-9._-]{1,253}$/.test(f.fileName) || f.fileName.startsWith('.')) {
        throw invalidProp(this, `${prop}.fileName`, f.fileName, 'a file name of letters, digits, ".", "_" and "-", not starting with "."');
      }
      if (seen.has(f.fileName)) throw invalidProp(this, `${prop}.fileName`, f.fileName, 'a file name not used by another secretFiles entry');
      seen.add(f.fileName);
      return { secret: { name: f.secret.secretName, items: [{ key: f.secret.key, path: f.fileName }] } };
    });
    builder.addVolume({ name: 'agent-secrets', projected: { sources, defaultMode: 0o440 } });
    return [{ name: 'agent-secrets', mountPath: SECRETS_DIR, readOnly: true }];
  }

  /**
   * One NetworkPolicy for the sandbox pods, Ingress and Egress: DNS, the declared model and tool endpoints and the
   * declared callers; nothing else, in a tenant or not (a tenant's default-deny only adds to it).
   */
  private closeTraffic(props: AgentSandboxProps, labels: { [key: string]: string }): ApiObject {
    const policyName = `${this.name}-sandbox`;
    claimName(this, 'NetworkPolicy', this.namespace, policyName);
    const egress: k8s.NetworkPolicyEgressRule[] = [{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' }],
    }];
    (props.modelEndpoints ?? []).forEach((peer, i) => egress.push(this.peerRule(peer, `modelEndpoints[${i}]`, i)));
    (props.toolEndpoints ?? []).forEach((tool, i) => egress.push(this.toolRule(tool, `toolEndpoints[${i}]`)));
    const callers = requireLabels(this, 'callers', props.callers ?? {});
    const ingress: k8s.NetworkPolicyIngressRule[] = Object.keys(callers).length
      ? [{ from: [{ podSelector: { matchLabels: callers } }], ports: [{ port: k8s.IntOrString.fromNumber(props.port), protocol: 'TCP' }] }]
      : [];
    // The same edges for the rest of the app: the callers' egress in their tenant.
    if (ingress.length) {
      allowTraffic({
        scope: this,
        name: 'sandbox-callers',
        description: `callers of the agent sandbox ${this.name}`,
        from: { namespace: this.namespace, podLabels: callers },
        to: { namespace: this.namespace, podLabels: this.selector },
        ports: [{ port: props.port }],
      });
    }
    return new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: policyName, namespace: this.namespace, labels, annotations: { 'ai.cdk8s.io/isolates': `agent sandbox ${this.name}` } },
      // No ingress rule at all when nothing calls in (an empty list would not survive the apiserver's round trip, and a
      // re-sync would rewrite it): with `Ingress` among the policy types, that denies all ingress.
      spec: { podSelector: { matchLabels: { ...this.selector } }, policyTypes: ['Ingress', 'Egress'], ingress: ingress.length ? ingress : undefined, egress },
    });
  }

  /**
   * The egress rule to a model endpoint, and the edge that lets the endpoint's own isolation (or its tenant) admit
   * the sandbox's pods.
   */
  private peerRule(peer: AgentPeer, prop: string, index: number): k8s.NetworkPolicyEgressRule {
    const podLabels = requireLabels(this, `${prop}.podLabels`, peer.podLabels ?? {});
    if (!Object.keys(podLabels).length) throw invalidProp(this, `${prop}.podLabels`, peer.podLabels, 'labels selecting the pods, e.g. an InferenceService\'s selector');
    const port = requireInteger(this, `${prop}.port`, peer.port, 1, 65535);
    const namespace = peer.namespace !== undefined ? requireDnsLabel(this, `${prop}.namespace`, peer.namespace) : undefined;
    allowTraffic({
      scope: this,
      name: `sandbox-model-${index}`,
      description: `the agent sandbox ${this.name} calling its model endpoint`,
      from: { namespace: this.namespace, podLabels: this.selector },
      to: { namespace: namespace ?? this.namespace, podLabels },
      ports: [{ port }],
    });
    return {
      to: [{ ...(namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } : {}), podSelector: { matchLabels: podLabels } }],
      ports: [{ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }],
    };
  }

  private toolRule(tool: AgentToolEndpoint, prop: string): k8s.NetworkPolicyEgressRule {
    if (typeof tool.cidr !== 'string' || !isCidr(tool.cidr)) throw invalidProp(this, `${prop}.cidr`, tool.cidr, 'a CIDR such as "203.0.113.10/32"');
    if (tool.cidr === METADATA_CIDR) throw invalidProp(this, `${prop}.cidr`, tool.cidr, 'a range other than the cloud metadata address');
    const except = cidrStrictlyContains(tool.cidr, METADATA_CIDR) ? [METADATA_CIDR] : undefined;
    return this.withPort({ ipBlock: { cidr: tool.cidr, except } }, tool, prop);
  }

  private withPort(peer: k8s.NetworkPolicyPeer, tool: AgentToolEndpoint, prop: string): k8s.NetworkPolicyEgressRule {
    const port = requireInteger(this, `${prop}.port`, tool.port, 1, 65535);
    return { to: [peer], ports: [{ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }] };
  }
}

import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { CHECKER_SCRIPT } from './checker-script';
import { EvalSuite, PYTHON_IMAGE } from './eval-suite';
import { ThresholdSpec } from './eval-threshold';
import * as k8s from '../imports/k8s';
import { standardLabels, selectorLabels } from '../internal/labels';
import { claimName, dnsLabel } from '../internal/names';
import { PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { TenantDns } from '../security/tenant-dns';
import { allowTraffic } from '../security/tenant-network';
import { InferenceService } from '../serving/inference-service';
import { ServingResources } from '../serving/serving-props';
import { renderResources } from '../serving/serving-validation';

const CHECKER_DIR = '/opt/cdk8s-ai-eval';
const STARTED_FILE = '/results/.started';
/** Seconds the checker waits for Prometheus to scrape the last samples of the eval's own traffic. */
const SETTLE_SECONDS = 45;

/** Private and link-local ranges: the internet egress rule excludes them, so the pod reaches no other cluster address. */
const PRIVATE_V4 = ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'];
const PRIVATE_V6 = ['fc00::/7', 'fe80::/10'];

/** A threshold with its PromQL, as the checker spec carries it. @internal */
export interface PromThreshold extends ThresholdSpec {
  /** PromQL; `$WINDOW` is the range the checker fills in. */
  readonly query: string;
}

/** Everything the eval Job is built from. @internal */
export interface EvalJobInput {
  /** The gate (errors, name claims). */
  readonly gate: IConstruct;
  /** The base resource name of the gate's objects. */
  readonly name: string;
  readonly namespace?: string;
  readonly target: InferenceService;
  readonly suite: EvalSuite;
  readonly thresholds: ThresholdSpec[];
  /** Prometheus thresholds with their queries (`$WINDOW` placeholder). */
  readonly promThresholds: PromThreshold[];
  readonly prometheusAddress?: string;
  /** Prometheus pods (namespace, labels, port) for the egress rule. */
  readonly prometheus?: { namespace: string; podLabels: { [key: string]: string }; port: number };
  readonly timeoutSeconds: number;
  readonly checkerImage?: string;
  readonly resources?: ServingResources;
  readonly dns?: TenantDns;
}

/** The eval Job's parts. @internal */
export interface EvalJobParts {
  readonly configMap: ApiObject;
  readonly networkPolicy: ApiObject;
  readonly jobSpec: k8s.JobSpec;
  readonly podLabels: { [key: string]: string };
  readonly labels: { [key: string]: string };
}

/** The checker's spec file: thresholds in a fixed key order, one per line. @internal */
export function checkerSpec(input: Pick<EvalJobInput, 'thresholds' | 'promThresholds' | 'prometheusAddress'>): string {
  const results = input.thresholds.filter((t) => t.source === 'results');
  const all = [...results, ...input.promThresholds].map((t) => sortKeys(t));
  return JSON.stringify(sortKeys({
    version: 1,
    prometheus: input.prometheusAddress,
    settleSeconds: input.promThresholds.length ? SETTLE_SECONDS : 0,
    thresholds: all,
  }), null, 2) + '\n';
}

function sortKeys<T>(o: T): T {
  const out: any = {};
  for (const k of Object.keys(o as any).sort()) {
    const v = (o as any)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * Builds the eval Job's ConfigMap (checker script + thresholds) and egress NetworkPolicy under `scope`, and returns
 * the Job spec: a restricted pod that waits for the candidate, runs the suite, then checks the thresholds; no
 * retries, a deadline, egress only to the candidate, DNS, Prometheus (for latency thresholds) and, when the suite
 * needs it, HTTPS to public addresses.
 * @internal
 */
export function buildEvalJob(scope: Construct, input: EvalJobInput): EvalJobParts {
  const { gate, name, namespace, target } = input;
  const identity = { name: 'eval-gate', instance: name, component: 'eval' };
  const labels = standardLabels(identity);
  const podLabels = labels;
  const podSelector = selectorLabels(identity);
  const configName = dnsLabel([name, 'checker']);
  const policyName = dnsLabel([name, 'eval-egress']);

  const host = target.namespace && target.namespace !== namespace ? `${target.name}.${target.namespace}.svc` : target.name;
  const baseUrl = `http://${host}:${target.port}`;
  const suite = input.suite._container(gate, { baseUrl, modelName: target.servedModelName });

  claimName(gate, 'ConfigMap', namespace, configName);
  const configMap = new k8s.KubeConfigMap(scope, 'CheckerConfigMap', {
    metadata: { name: configName, namespace, labels },
    data: { 'check.py': CHECKER_SCRIPT, 'thresholds.json': checkerSpec(input) },
  });

  const builder = new PodSpecBuilder(gate, resolveSecurity(gate, { readOnlyRootFilesystem: true }));
  builder.restartPolicy = 'Never';
  builder.terminationGracePeriodSeconds = 30;
  builder.addVolume({ name: 'checker', configMap: { name: configName, defaultMode: 0o555 } });
  builder.addVolume({ name: 'results', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } });
  suite.volumes.forEach((v) => builder.addVolume(v));
  // pip-installing lm-evaluation-harness (with torch) into /tmp takes several GiB.
  builder.addScratch('tmp', '/tmp', '12Gi');
  const checkerImage = input.checkerImage ?? PYTHON_IMAGE;
  const small = renderResources({ cpu: '100m', memory: '128Mi' });
  const checkerMounts = [{ name: 'checker', mountPath: CHECKER_DIR, readOnly: true }, { name: 'results', mountPath: '/results' }];
  const waitSeconds = Math.max(60, Math.min(input.timeoutSeconds - 60, 3600));
  builder.addContainer({
    name: 'wait-for-target',
    image: checkerImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['python3', `${CHECKER_DIR}/check.py`, 'wait', '--url', `${baseUrl}/v1/models`, '--timeout', String(waitSeconds), '--started', STARTED_FILE],
    resources: small,
    volumeMounts: checkerMounts,
  }, { init: true });
  builder.addContainer({
    ...suite.container,
    imagePullPolicy: 'IfNotPresent',
    resources: renderResources(input.resources ?? { cpu: '1', memory: '4Gi' }),
    volumeMounts: [...(suite.container.volumeMounts ?? []), { name: 'results', mountPath: '/results' }],
  }, { init: true, inputs: suite.inputs });
  builder.addContainer({
    name: 'check',
    image: checkerImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['python3', `${CHECKER_DIR}/check.py`, 'check', '--spec', `${CHECKER_DIR}/thresholds.json`, '--results', suite.resultsPath, '--started', STARTED_FILE],
    env: [{ name: 'PYTHONUNBUFFERED', value: '1' }],
    resources: small,
    volumeMounts: checkerMounts,
  });
  const podSpec = builder.build();

  // Egress: DNS, the candidate, Prometheus, and the internet when the suite needs it.
  const dnsNs = input.dns?.namespace ?? 'kube-system';
  const dnsLabels = input.dns?.podLabels ?? { 'k8s-app': 'kube-dns' };
  const nsSelector = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
  const egress: k8s.NetworkPolicyEgressRule[] = [
    {
      to: [{ namespaceSelector: nsSelector(dnsNs), podSelector: { matchLabels: dnsLabels } }],
      ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
    },
    {
      to: [{
        namespaceSelector: target.namespace ? nsSelector(target.namespace) : undefined,
        podSelector: { matchLabels: target.selector },
      }],
      ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(target.port) }],
    },
  ];
  if (input.prometheus && input.promThresholds.length) {
    egress.push({
      to: [{ namespaceSelector: nsSelector(input.prometheus.namespace), podSelector: { matchLabels: input.prometheus.podLabels } }],
      ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(input.prometheus.port) }],
    });
  }
  if (suite.internetEgress) {
    egress.push({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_V4 } }, { ipBlock: { cidr: '::/0', except: PRIVATE_V6 } }],
      ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(443) }],
    });
  }
  claimName(gate, 'NetworkPolicy', namespace, policyName);
  const networkPolicy = new k8s.KubeNetworkPolicy(scope, 'EvalEgress', {
    metadata: { name: policyName, namespace, labels },
    spec: { podSelector: { matchLabels: podSelector }, policyTypes: ['Egress'], egress },
  });
  // Tenants whose namespace is an end of the edge open it (the candidate's ingress, the eval pod's egress).
  allowTraffic({
    scope: gate,
    name: 'eval-target',
    description: `eval Job of ${gate.node.path} to ${target.node.path}`,
    from: { namespace, podLabels: podSelector },
    to: { namespace: target.namespace, podLabels: target.selector },
    ports: [{ port: target.port }],
  });

  const jobSpec: k8s.JobSpec = {
    backoffLimit: 0,
    activeDeadlineSeconds: input.timeoutSeconds,
    template: { metadata: { labels: podLabels }, spec: podSpec },
  };
  return { configMap, networkPolicy, jobSpec, podLabels, labels };
}

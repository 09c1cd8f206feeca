/**
 * The part of a disabled scanner check that still holds. A check is disabled in `.kube-linter.yaml` / `.checkov.yaml`
 * only where its finding is wrong for one kind of workload; for every other object the test applies the same rule
 * itself, so disabling it never stops guarding the rest:
 *
 * - read-only root filesystem (kube-linter `no-read-only-root-fs`, checkov `CKV_K8S_22`): wrong for containers that
 *   get GPUs (the NVIDIA CDI hook writes into the container's root filesystem when it starts, kserve/kserve#5711);
 *   every container without devices must still have one.
 * - no service-account token (checkov `CKV_K8S_38`): wrong for pods that call the API server with RBAC the app grants
 *   (the endpoint picker watches pods and InferencePools); every pod whose service account no RoleBinding or
 *   ClusterRoleBinding of the app names must still set `automountServiceAccountToken: false`.
 * - CPU limit (checkov `CKV_K8S_11`): wrong for the endpoint picker, which the llm-d chart runs without a CPU limit so
 *   it can burst (llm-d-router v0.10.0 config/charts/routerlib/values.yaml `epp.resources`); every other container,
 *   and the picker pod's other containers, must set one.
 * - image pinned by digest (checkov `CKV_K8S_43`): wrong for pods in a namespace the app opts into sigstore
 *   policy-controller (a Namespace of the app labelled `policy.sigstore.dev/include: "true"`, as an AiTenant with
 *   `imageSigning` is): its mutating webhook resolves every tag to the digest it verified at admission, so the pod
 *   that runs is pinned by digest, to a signed image. Every pod elsewhere (including every namespace the app does
 *   not itself emit) must name its images by digest.
 * - the removed `extensions/v1beta1` API (kube-linter `no-extensions-v1beta`): its pattern matches any API group that
 *   contains "extensions", so it flags agent-sandbox's `extensions.agents.x-k8s.io/v1beta1` SandboxTemplate, an API
 *   that exists; every object of the core `extensions` group at a v1beta version must still be refused.
 */
import type { Finding, ScanTarget } from './scanners';

type Json = { readonly [key: string]: any };

/** The pod spec of a pod-bearing object, or undefined. */
export function podSpecOf(o: Json): Json | undefined {
  switch (o.kind) {
    case 'Pod': return o.spec;
    case 'CronJob': return o.spec?.jobTemplate?.spec?.template?.spec;
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'ReplicationController': case 'Job':
      return o.spec?.template?.spec;
    default: return undefined;
  }
}

const PLAIN_RESOURCES = /^(cpu|memory|ephemeral-storage|hugepages-.+)$/;

/** The pod labels of the endpoint picker (src/serving/serving-pool.ts) and its container's name. */
const PICKER_NAME_LABEL = ['app.kubernetes.io/name', 'llm-d-router-epp'];
const PICKER_CONTAINER = 'epp';

/** The pod template labels of a pod-bearing object. */
function podLabelsOf(o: Json): Json {
  switch (o.kind) {
    case 'Pod': return o.metadata?.labels ?? {};
    case 'CronJob': return o.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
    default: return o.spec?.template?.metadata?.labels ?? {};
  }
}

/** True when the container gets devices: a DRA claim or an extended resource such as `nvidia.com/gpu`. */
export function getsDevices(container: Json): boolean {
  const limits = Object.keys(container.resources?.limits ?? {});
  return (container.resources?.claims ?? []).length > 0 || limits.some((r) => !PLAIN_RESOURCES.test(r));
}

/** The namespace label that opts a namespace into sigstore policy-controller admission. */
export const SIGSTORE_INCLUDE_LABEL = 'policy.sigstore.dev/include';
const DIGEST = /@sha256:[0-9a-f]{64}$/;

export function narrowedChecks(targets: readonly ScanTarget[]): Finding[] {
  const resolvingNamespaces = new Set(targets
    .filter((t) => t.object.kind === 'Namespace' && (t.object.metadata as Json).labels?.[SIGSTORE_INCLUDE_LABEL] === 'true')
    .map((t) => t.object.metadata.name));
  const boundAccounts = new Set(targets
    .filter((t) => t.object.kind === 'RoleBinding' || t.object.kind === 'ClusterRoleBinding')
    .flatMap((t) => ((t.object as Json).subjects ?? [])
      .filter((s: Json) => s.kind === 'ServiceAccount')
      .map((s: Json) => `${s.namespace ?? t.object.metadata.namespace}/${s.name}`)));
  const findings: Finding[] = [];
  for (const t of targets) {
    if (/^extensions\/v1beta/.test(String(t.object.apiVersion))) {
      findings.push({
        scanner: 'cdk8s-ai',
        check: 'no-extensions-v1beta (the core extensions group)',
        message: `${t.object.apiVersion} is a removed API; use apps/v1, networking.k8s.io/v1 or policy/v1`,
        object: t.describe,
      });
    }
    const spec = podSpecOf(t.object);
    if (!spec) continue;
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      if (!getsDevices(c) && c.securityContext?.readOnlyRootFilesystem !== true) {
        findings.push({
          scanner: 'cdk8s-ai',
          check: 'no-read-only-root-fs/CKV_K8S_22 (containers without GPUs)',
          message: `container "${c.name}" gets no GPU but does not have a read-only root filesystem`,
          object: t.describe,
        });
      }
    }
    const picker = podLabelsOf(t.object)[PICKER_NAME_LABEL[0]] === PICKER_NAME_LABEL[1];
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      if (c.resources?.limits?.cpu === undefined && !(picker && c.name === PICKER_CONTAINER)) {
        findings.push({
          scanner: 'cdk8s-ai',
          check: 'CKV_K8S_11 (containers other than the endpoint picker)',
          message: `container "${c.name}" has no CPU limit; only the endpoint picker runs without one`,
          object: t.describe,
        });
      }
    }
    if (!resolvingNamespaces.has(t.object.metadata.namespace)) {
      for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
        if (typeof c.image !== 'string' || !DIGEST.test(c.image)) {
          findings.push({
            scanner: 'cdk8s-ai',
            check: 'CKV_K8S_43 (namespaces without tag-to-digest admission)',
            message: `container "${c.name}" names image ${JSON.stringify(c.image)} without a digest, in namespace ` +
              `${t.object.metadata.namespace ?? '(none)'}, which the app does not opt into sigstore policy-controller ` +
              `(${SIGSTORE_INCLUDE_LABEL}: "true"); pin it (image@sha256:...) or run it in a namespace that resolves tags at admission`,
            object: t.describe,
          });
        }
      }
    }
    const account = `${t.object.metadata.namespace}/${spec.serviceAccountName ?? 'default'}`;
    if (spec.automountServiceAccountToken !== false && !boundAccounts.has(account)) {
      findings.push({
        scanner: 'cdk8s-ai',
        check: 'CKV_K8S_38 (pods without API access)',
        message: `the pod mounts a service-account token, but no RoleBinding or ClusterRoleBinding of the app grants its service account ${account} anything`,
        object: t.describe,
      });
    }
  }
  return findings;
}

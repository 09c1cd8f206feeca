import * as kplus from 'cdk8s-plus-28';

/**
 * cdk8s-plus-28 interop, kept in this one file: what an InferenceService gives a kplus NetworkPolicy (or anything
 * that takes an `IPodSelector` / `INetworkPolicyPeer`) to select its model-server pods.
 */
export function podSelectorConfig(labels: { [key: string]: string }, namespace?: string): kplus.PodSelectorConfig {
  return {
    labelSelector: kplus.LabelSelector.of({ labels }),
    namespaces: namespace ? { names: [namespace] } : undefined,
  };
}

export function networkPolicyPeerConfig(labels: { [key: string]: string }, namespace?: string): kplus.NetworkPolicyPeerConfig {
  return { podSelector: podSelectorConfig(labels, namespace) };
}

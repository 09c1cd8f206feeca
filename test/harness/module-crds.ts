/**
 * CRDs of kinds we emit that ../shared/crds does not hold, read from the upstream Go modules the simulated cluster
 * pins (tools/simcluster: Kueue v0.19.2 and the cluster-autoscaler API module it requires), so no kind we emit is left
 * out of apiserver validation.
 */
import * as path from 'node:path';
import { loadCrds } from './crds';
import { KubeObject } from './objects';
import { simBinaries } from '../simcluster/binaries';

/** Kueue's ProvisioningRequestConfig and the autoscaler's ProvisioningRequest (what Kueue's admission check creates). */
const MODULE_CRDS = ['provisioningrequestconfigs.kueue.x-k8s.io', 'provisioningrequests.autoscaling.x-k8s.io'];

export function moduleCrds(): KubeObject[] {
  const bin = simBinaries();
  const found = [
    ...loadCrds(path.join(bin.kueueModule, 'config', 'components', 'crd', 'bases')),
    ...loadCrds(path.join(bin.autoscalerApisModule, 'config', 'crd')),
  ].filter((c) => MODULE_CRDS.includes(String(c.metadata.name)));
  const missing = MODULE_CRDS.filter((n) => !found.some((c) => c.metadata.name === n));
  if (missing.length) throw new Error(`moduleCrds: ${missing.join(', ')} not found in the Go module cache`);
  return found;
}

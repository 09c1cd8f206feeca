/**
 * A Kueue-queued JobSet gang on the simulated cluster, as the gang tests observe it: its own objects, its Workload, and
 * the check that it stays out (no quota reserved, not admitted, no pod) over a settling period.
 */
import { SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { KubeObject } from '../harness/objects';

/**
 * The objects of one gang (its JobSet, claim template and network policy), without the tenant's: a job submitted on
 * its own, as a team's pipeline submits it against whatever quota the platform repository gives the tenant. (Synth
 * refuses a gang over its own tenant's quota or its pool's capacity, so a gang that Kueue must hold back comes from
 * another app than the quota that holds it back.)
 */
export function gangObjects(out: SynthesizedApp, jobSet: KubeObject): KubeObject[] {
  return out.objects.filter((o) => o.metadata.namespace === jobSet.metadata.namespace
    && (o.metadata.labels as any)?.['app.kubernetes.io/instance'] === jobSet.metadata.name);
}

export async function workloadOf(cluster: SimCluster, jobSet: KubeObject): Promise<any | undefined> {
  const wls = await cluster.api.list('kueue.x-k8s.io/v1beta2', 'Workload', String(jobSet.metadata.namespace));
  return wls.find((w) => (w.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'JobSet' && r.name === jobSet.metadata.name));
}

export function condition(obj: any, type: string): any {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** The gang stays out: its Workload exists, reserves no quota, and no worker pod exists — checked over a settling period. */
export async function expectNotAdmitted(cluster: SimCluster, jobSet: KubeObject, settleMs = 8_000): Promise<string> {
  let message = '';
  await cluster.waitFor(`Workload of ${jobSet.metadata.name} evaluated by Kueue`, async () => {
    const wl = await workloadOf(cluster, jobSet);
    const reserved = condition(wl, 'QuotaReserved');
    message = reserved?.message ?? '';
    return reserved?.status === 'False' && reserved.reason === 'Pending' || `Workload ${wl ? JSON.stringify(wl.status?.conditions) : 'not created'}`;
  }, 60_000);
  const until = Date.now() + settleMs;
  while (Date.now() < until) {
    const pods = await cluster.api.list('v1', 'Pod', String(jobSet.metadata.namespace), `jobset.sigs.k8s.io/jobset-name=${jobSet.metadata.name}`);
    expect({ jobSet: jobSet.metadata.name, pods: pods.map((p) => p.metadata.name) }).toEqual({ jobSet: jobSet.metadata.name, pods: [] });
    const wl = await workloadOf(cluster, jobSet);
    expect({ jobSet: jobSet.metadata.name, admitted: condition(wl, 'Admitted')?.status ?? 'False' }).toEqual({ jobSet: jobSet.metadata.name, admitted: 'False' });
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return message;
}

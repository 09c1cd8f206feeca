/**
 * API discovery with a cache: maps apiVersion + kind to the REST resource,
 * using aggregated discovery (two requests for the whole server).
 */
import { KubeClient, isSuccess, statusMessage } from './kube-client';

export interface ApiResource {
  /** Plural resource name used in URLs (`deployments`). */
  readonly resource: string;
  readonly namespaced: boolean;
}

const AGGREGATED_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

interface DiscoveryResource {
  readonly resource: string;
  readonly scope: string;
  readonly responseKind?: { readonly kind?: string };
}
interface DiscoveryVersion {
  readonly version: string;
  readonly resources?: readonly DiscoveryResource[];
}
interface DiscoveryGroup {
  readonly metadata?: { readonly name?: string };
  readonly versions?: readonly DiscoveryVersion[];
}
interface DiscoveryList {
  readonly kind?: string;
  readonly items?: readonly DiscoveryGroup[];
}

export function resourceKey(apiVersion: string, kind: string): string {
  return `${apiVersion}#${kind}`;
}

/** Builds the apiVersion#kind -> resource table from aggregated discovery lists. */
export function indexDiscovery(lists: readonly DiscoveryList[]): Map<string, ApiResource> {
  const table = new Map<string, ApiResource>();
  for (const list of lists) {
    for (const group of list.items ?? []) {
      const groupName = group.metadata?.name ?? '';
      for (const version of group.versions ?? []) {
        const apiVersion = groupName === '' ? version.version : `${groupName}/${version.version}`;
        for (const r of version.resources ?? []) {
          const kind = r.responseKind?.kind;
          if (kind) {
            table.set(resourceKey(apiVersion, kind), { resource: r.resource, namespaced: r.scope === 'Namespaced' });
          }
        }
      }
    }
  }
  return table;
}

export class Discovery {
  private table: Map<string, ApiResource> | undefined;
  private refreshing: Promise<Map<string, ApiResource>> | undefined;

  constructor(private readonly client: KubeClient) {}

  /** Looks up a kind; refreshes discovery once on a miss (a CRD may have been added). */
  async lookup(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const key = resourceKey(apiVersion, kind);
    const hit = (this.table ?? await this.refresh()).get(key);
    if (hit) {
      return hit;
    }
    return (await this.refresh()).get(key);
  }

  /** True when `apiVersion` serves a resource with this plural name. */
  async serves(apiVersion: string, plural: string): Promise<boolean> {
    const table = await this.refresh();
    for (const [key, value] of table) {
      if (key.startsWith(`${apiVersion}#`) && value.resource === plural) {
        return true;
      }
    }
    return false;
  }

  /** Re-reads discovery; concurrent callers share one request pair. */
  refresh(): Promise<Map<string, ApiResource>> {
    if (!this.refreshing) {
      this.refreshing = this.fetch().then((table) => {
        this.table = table;
        return table;
      }).finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  private async fetch(): Promise<Map<string, ApiResource>> {
    const lists: DiscoveryList[] = [];
    for (const root of ['/api', '/apis']) {
      const res = await this.client.get(root, AGGREGATED_ACCEPT);
      const body = res.body as DiscoveryList | undefined;
      if (!isSuccess(res) || body?.kind !== 'APIGroupDiscoveryList') {
        throw new Error(`aggregated discovery GET ${root} failed: ${statusMessage(res)}`);
      }
      lists.push(body);
    }
    return indexDiscovery(lists);
  }
}

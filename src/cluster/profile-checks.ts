import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { warn } from './platform-warnings';
import { ValidationError } from '../internal/errors';
import { imagesOf, podSpecsBelow } from '../internal/pod-templates';

/** Why an image reference floats (untagged or `:latest`), or undefined when it is pinned by tag or digest. */
export function floatingImageReason(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  if (colon < 0) return 'has no tag, so it means :latest';
  if (last.slice(colon + 1) === 'latest') return 'is tagged :latest';
  return undefined;
}

/**
 * Warns (once per image and object) about every container image below `scope` that floats: a node pulls whatever
 * the tag points at when the pod starts, so two replicas can run different code and a rollback changes nothing.
 */
export function warnFloatingImages(scope: IConstruct, objects: ApiObject[]): void {
  for (const found of podSpecsBelow(scope, objects)) {
    for (const image of new Set(imagesOf(found.spec))) {
      const reason = floatingImageReason(image);
      if (reason) {
        warn(found.object, `image "${image}" ${reason}: nodes pull whatever the tag points at when a pod starts, so ` +
          'replicas can run different code and a rollback changes nothing; pin a version tag or a digest (image@sha256:...)');
      }
    }
  }
}

/**
 * Refuses a second ClusterProfile among the children of the same scope: lookups find the first one, so the second
 * would be silently ignored.
 */
export function requireOnlyProfileIn(profile: IConstruct, isProfile: (c: IConstruct) => boolean, defaultId: string): void {
  const scope = profile.node.scope;
  if (!scope) return;
  const other = scope.node.children.find((c) => c !== profile && isProfile(c) && c.node.id !== defaultId);
  if (other && profile.node.id !== defaultId) {
    throw new ValidationError(profile, 'scope', `${scope.node.path || 'the app'} already has the ClusterProfile ${other.node.path}; ` +
      'constructs use the first one they find, so this one would be silently ignored; expected one ClusterProfile per scope ' +
      '(change the first one, or declare this one in the chart it applies to)');
  }
}

/** Refuses DRA allocation on a profile whose `DynamicResourceAllocation` gate is off. */
export function requireDraGate(profile: IConstruct, usesDra: boolean, draGateOn: boolean): void {
  if (usesDra && !draGateOn) {
    throw new ValidationError(profile, 'featureGates.DynamicResourceAllocation', 'got false, but gpuAllocation: ' +
      'GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION (the default) makes every GPU workload emit ResourceClaims the cluster ' +
      'cannot serve; expected the gate on, or gpuAllocation: GpuAllocation.DEVICE_PLUGIN for a cluster without DRA');
  }
}

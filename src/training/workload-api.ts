/**
 * The native Kubernetes Workload API (scheduling.k8s.io), which changes shape every release: rendered here per
 * target minor version. Internal.
 *
 * 1.36 (v1alpha2) is typed by the generated imports; 1.35 (v1alpha1) and 1.37 (v1beta1) are not generated yet, so
 * their objects are plain ApiObjects typed by the interfaces below (from the 1.35 schema in ../shared/k8s-schemas
 * and the 1.37 apiserver's /openapi/v2).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GangPlan } from './gang-plan';
import { FastApiObject } from '../imports/fast-api-object';
import * as alpha from '../imports/k8s-alpha';
import { claimName } from '../internal/names';

/** The one pod group template of a gang job. */
export const WORKERS_TEMPLATE = 'workers';

/** scheduling.k8s.io/v1alpha1 WorkloadSpec (Kubernetes 1.35). */
interface WorkloadSpecV1Alpha1 {
  readonly controllerRef?: TypedLocalObjectReference;
  readonly podGroups: { readonly name: string; readonly policy: { readonly gang: { readonly minCount: number } } }[];
}

/** scheduling.k8s.io/v1beta1 WorkloadSpec (Kubernetes 1.37). */
interface WorkloadSpecV1Beta1 {
  readonly controllerRef?: TypedLocalObjectReference;
  readonly podGroupTemplates: { readonly name: string; readonly schedulingPolicy: GangPolicy }[];
}

/** scheduling.k8s.io/v1beta1 PodGroupSpec (Kubernetes 1.37). */
interface PodGroupSpecV1Beta1 {
  readonly workloadRef: { readonly workloadName: string; readonly templateName: string };
  readonly schedulingPolicy: GangPolicy;
}

interface TypedLocalObjectReference {
  readonly apiGroup?: string;
  readonly kind: string;
  readonly name: string;
}

interface GangPolicy {
  readonly gang: { readonly minCount: number };
}

/** What one release of the Workload API needs and renders. */
export interface WorkloadApiRelease {
  readonly minor: number;
  readonly groupVersion: string;
  /** Feature gates the apiserver and scheduler need on. */
  readonly gates: readonly string[];
  /** The pod spec field that links a pod to its group. */
  readonly podField: string;
  /** Emits the Workload (and PodGroup) and returns the pod fields. */
  readonly render: (scope: Construct, plan: GangPlan) => { objects: ApiObject[]; podFields: Record<string, unknown> };
}

function controllerRef(plan: GangPlan): TypedLocalObjectReference {
  return { apiGroup: plan.backend.apiGroup, kind: plan.backend.kind, name: plan.name };
}

function metadata(plan: GangPlan, name: string) {
  return { name, namespace: plan.namespace, labels: plan.labels };
}

function podGroupName(plan: GangPlan): string {
  return `${plan.name}-${WORKERS_TEMPLATE}`;
}

const V1_35: WorkloadApiRelease = {
  minor: 35,
  groupVersion: 'scheduling.k8s.io/v1alpha1',
  gates: ['GenericWorkload', 'GangScheduling'],
  podField: 'workloadRef',
  render: (scope, plan) => {
    claimName(scope, 'Workload.scheduling.k8s.io', plan.namespace, plan.name);
    const spec: WorkloadSpecV1Alpha1 = {
      controllerRef: controllerRef(plan),
      podGroups: [{ name: WORKERS_TEMPLATE, policy: { gang: { minCount: plan.workers } } }],
    };
    const workload = new FastApiObject(scope, 'Workload', {
      apiVersion: 'scheduling.k8s.io/v1alpha1', kind: 'Workload', metadata: metadata(plan, plan.name), spec,
    });
    return { objects: [workload], podFields: { workloadRef: { name: plan.name, podGroup: WORKERS_TEMPLATE } } };
  },
};

const V1_36: WorkloadApiRelease = {
  minor: 36,
  groupVersion: 'scheduling.k8s.io/v1alpha2',
  gates: ['GenericWorkload', 'GangScheduling'],
  podField: 'schedulingGroup',
  render: (scope, plan) => {
    const groupName = podGroupName(plan);
    claimName(scope, 'Workload.scheduling.k8s.io', plan.namespace, plan.name);
    claimName(scope, 'PodGroup.scheduling.k8s.io', plan.namespace, groupName);
    const gang = { gang: { minCount: plan.workers } };
    const workload = new alpha.KubeWorkloadV1Alpha2(scope, 'Workload', {
      metadata: metadata(plan, plan.name),
      spec: { controllerRef: controllerRef(plan), podGroupTemplates: [{ name: WORKERS_TEMPLATE, schedulingPolicy: gang }] },
    });
    const podGroup = new alpha.KubePodGroupV1Alpha2(scope, 'PodGroup', {
      metadata: metadata(plan, groupName),
      spec: {
        podGroupTemplateRef: { workload: { workloadName: plan.name, podGroupTemplateName: WORKERS_TEMPLATE } },
        schedulingPolicy: gang,
      },
    });
    return { objects: [workload, podGroup], podFields: { schedulingGroup: { podGroupName: groupName } } };
  },
};

const V1_37: WorkloadApiRelease = {
  minor: 37,
  groupVersion: 'scheduling.k8s.io/v1beta1',
  gates: ['GenericWorkload'],
  podField: 'schedulingGroup',
  render: (scope, plan) => {
    const groupName = podGroupName(plan);
    claimName(scope, 'Workload.scheduling.k8s.io', plan.namespace, plan.name);
    claimName(scope, 'PodGroup.scheduling.k8s.io', plan.namespace, groupName);
    const gang: GangPolicy = { gang: { minCount: plan.workers } };
    const workloadSpec: WorkloadSpecV1Beta1 = {
      controllerRef: controllerRef(plan),
      podGroupTemplates: [{ name: WORKERS_TEMPLATE, schedulingPolicy: gang }],
    };
    const podGroupSpec: PodGroupSpecV1Beta1 = {
      workloadRef: { workloadName: plan.name, templateName: WORKERS_TEMPLATE },
      schedulingPolicy: gang,
    };
    const workload = new FastApiObject(scope, 'Workload', {
      apiVersion: 'scheduling.k8s.io/v1beta1', kind: 'Workload', metadata: metadata(plan, plan.name), spec: workloadSpec,
    });
    const podGroup = new FastApiObject(scope, 'PodGroup', {
      apiVersion: 'scheduling.k8s.io/v1beta1', kind: 'PodGroup', metadata: metadata(plan, groupName), spec: podGroupSpec,
    });
    return { objects: [workload, podGroup], podFields: { schedulingGroup: { podGroupName: groupName } } };
  },
};

/** The Workload API per Kubernetes minor version (absent: the version has none). */
export const WORKLOAD_API_RELEASES: Readonly<Record<number, WorkloadApiRelease>> = { 35: V1_35, 36: V1_36, 37: V1_37 };

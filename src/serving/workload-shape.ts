import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { LaunchRole, LaunchSpec } from './server-engine';
import { PodLabelSet } from './serving-checks';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';

/**
 * The workload shape of an InferenceService: which Kubernetes workload runs its replicas (a Deployment, a
 * LeaderWorkerSet when a replica spans pods, the disaggregated shapes to come) and everything that follows from that
 * choice. One class per shape, each in its own file under `shapes/`; `chooseWorkloadShape` picks one. Internal: not
 * part of the jsii API.
 */
export interface WorkloadShape {
  /** Pods per replica. */
  readonly podsPerReplica: number;
  /** The longest name the workload object may have (controllers append suffixes to the pods' names). */
  readonly maxNameLength: number;
  /** Parts appended to the service's path to name the workload object (none: it shares the Service's name). */
  readonly workloadNameSuffix: string[];
  /** The part the API-serving pod plays in its replica. */
  readonly servingRole: LaunchRole;
  /** Whether the pods of different replicas are spread across nodes (each replica on one node of its own). */
  readonly spreadsReplicas: boolean;
  /** Whether the pods of one replica reach each other on any port (torch.distributed and NCCL pick theirs at run time). */
  readonly groupTraffic: boolean;

  /** Pods the GPU request must provide for, at `maxReplicas` replicas. */
  podCount(maxReplicas: number): number;
  /** Refuses a cluster without the add-ons the workload needs. */
  requireAddons(scope: IConstruct, profile: ClusterProfile): void;
  /** The labels on the API-serving pods: the template labels plus those the workload's controller adds. */
  servingPodLabels(podLabels: { [key: string]: string }): { [key: string]: string };
  /** The labels selecting the API-serving pods (the Service, InferencePool and PodMonitor selector). */
  servingSelector(workloadSelector: { [key: string]: string }): { [key: string]: string };
  /**
   * The label sets of every pod of the workload, for the pool-selector checks of the app. `servingLabels` are on the
   * API-serving pods only.
   */
  podLabelSets(
    owner: string, namespace: string | undefined, podLabels: { [key: string]: string }, servingLabels?: { [key: string]: string },
  ): PodLabelSet[];
  /** The Services the workload's controller creates by itself, from the workload's name (claimed so no object of ours takes them). */
  controllerServices(workloadName: string): string[];
  /** Checks the shape's own props and the workload's name against the workload's rules (done just before rendering). */
  check(scope: IConstruct, workloadName: string): void;
  /** Renders the workload object(s) under the service. */
  render(input: WorkloadInput): RenderedWorkload;
  /** What an autoscaler scales (its `scaleTargetRef`). */
  scaleTargetRef(name: string): ScaleTargetRef;
}

/** Claims a name (the service's own unless given) and returns the metadata of an object of the service. */
export type ObjectMeta = (kind: string, name?: string) => { name: string; namespace?: string; labels: { [key: string]: string } };

/** What a shape renders its workload from. */
export interface WorkloadInput {
  /** The InferenceService: the workload's construct scope. */
  readonly scope: Construct;
  readonly meta: ObjectMeta;
  /** The workload object's name. */
  readonly workloadName: string;
  /** Fixed replicas; undefined when an autoscaler owns them. */
  readonly replicas?: number;
  /** The labels of every pod template. */
  readonly podLabels: { [key: string]: string };
  /** Labels only the API-serving pods' template carries (a LeaderWorkerSet's leaders; every pod of a Deployment). */
  readonly servingLabels?: { [key: string]: string };
  /** The labels selecting every pod of the workload. */
  readonly workloadSelector: { [key: string]: string };
  /** The spec of the API-serving pod. */
  readonly servingPod: k8s.PodSpec;
  /** The server's command line in a pod of `role`. */
  readonly launch: (role: LaunchRole) => LaunchSpec;
}

/** The objects a shape rendered; the service exposes them. */
export interface RenderedWorkload {
  /** The object whose replicas are the service's replicas. */
  readonly workload: ApiObject;
  readonly deployment?: ApiObject;
  readonly leaderWorkerSet?: ApiObject;
}

/** An autoscaler's `scaleTargetRef`. */
export interface ScaleTargetRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** The name of the server container in every shape's pods. */
export const SERVER_CONTAINER = 'server';

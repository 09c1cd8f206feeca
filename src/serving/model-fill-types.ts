/** The inputs and result of filling a model volume (a shared claim by a Job, a node-local volume by a DaemonSet). */

/** What a filled shared volume gives the server pods. */
export interface FilledVolume {
  readonly claimName: string;
  /** The model's directory inside the volume. */
  readonly directory: string;
  /** The file the Job writes after the download succeeded, relative to the volume root. */
  readonly marker: string;
  /** What writes the marker, for the wait step's log line. */
  readonly writer?: string;
}

/** Inputs of the download Job. */
export interface FillInputs {
  readonly uri: string;
  readonly scheme: string;
  readonly image: string;
  readonly credentialsSecret?: string;
  readonly credentialsSecretKey?: string;
  /** Where the volume is mounted in the Job and the servers. */
  readonly mountPath: string;
  /** The Job's download step resources (CPU and memory). */
  readonly resources: { cpu: string; memory: string };
}

/** What an `ociImage` model source does on a cluster without Kubernetes image volumes. */
export enum OciModelFallback {
  /** Refuse: synth fails with an error naming the alternatives. */
  NONE = 'None',
  /**
   * Run the image as KServe's "modelcar", a native sidecar that shares its model directory with the server.
   *
   * The sidecar runs in a shared process namespace and links its model directory into a shared emptyDir
   * (`/proc/<pid>/root/<path>`); the server starts once the link resolves. Nothing is copied, so it needs no disk
   * beyond the image; the model image needs `sh`, `ln`, `test` and `sleep` (a busybox-based image).
   */
  MODELCAR = 'Modelcar',
}

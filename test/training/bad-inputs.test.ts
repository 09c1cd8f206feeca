// Every refusal of the training constructs, with the error it must produce (no YAML is written for any of them).
import { Chart, Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { NAMESPACE, TRAINING_ADDONS, jobProps, profileFor } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GpuSharing } from '../../src/accelerators/gpu-sharing';
import { recordLocalQueue } from '../../src/cluster/app-registry';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, ClusterProfileProps, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { GangFailureAction } from '../../src/training/gang-failure-policy';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTopology } from '../../src/training/gang-topology';
import { GangSuccessPolicy, GangTrainingJob, GangTrainingJobProps } from '../../src/training/gang-training-job';
import { RayCluster, RayClusterProps } from '../../src/training/ray-cluster';
import { RaySubmissionMode, TrainingBackend } from '../../src/training/training-backend';
import { InitializerTarget, TrainingInitializer } from '../../src/training/training-initializer';
import { TrainingLauncher } from '../../src/training/training-launcher';
import { TrainingVolume } from '../../src/training/training-volume';
import { BadInputRow, badInputCatalogue } from '../harness';

const PATH = '[bad-input/job]';
const H100 = GpuModel.NVIDIA_H100_80_GB;

/** A job in the bad-input chart, on a profile (1.34 with every training add-on unless told otherwise). */
function job(props: Partial<GangTrainingJobProps>, profile: ClusterProfileProps = profileFor('default')) {
  return (scope: Construct) => {
    new ClusterProfile(scope, 'Cluster', profile);
    new GangTrainingJob(scope, 'job', jobProps(props));
  };
}

const V1_37_ON = profileFor('latest');
const V1_37_OFF: ClusterProfileProps = { kubernetesVersion: KubernetesVersion.V1_37, addons: TRAINING_ADDONS };
const V1_36: ClusterProfileProps = { kubernetesVersion: KubernetesVersion.V1_36, addons: TRAINING_ADDONS };
const V1_35_ON: ClusterProfileProps = {
  kubernetesVersion: KubernetesVersion.V1_35, featureGates: { GenericWorkload: true, GangScheduling: true }, addons: TRAINING_ADDONS,
};

const ROWS: BadInputRow[] = [
  // sizes and counts
  { name: 'zero workers', build: job({ workers: 0 }), error: `${PATH} workers: got 0; expected an integer from 1 to 100000` },
  { name: 'fractional workers', build: job({ workers: 2.5 }), error: `${PATH} workers: got 2.5; expected an integer from 1 to 100000` },
  { name: 'more workers than an Indexed Job runs', build: job({ workers: 100_001 }), error: `${PATH} workers: got 100001; expected an integer from 1 to 100000` },
  { name: 'negative maxRestarts', build: job({ maxRestarts: -1 }), error: `${PATH} maxRestarts (max_restarts): got -1; expected an integer from 0 to 2147483647` },
  { name: 'fractional backoffLimit', build: job({ backoffLimit: 1.5 }), error: `${PATH} backoffLimit (backoff_limit): got 1.5; expected an integer from 0 to 2147483647` },
  { name: 'zero maxRuntime', build: job({ maxRuntime: Duration.seconds(0) }), error: `${PATH} maxRuntime (max_runtime): got 0 seconds; expected a whole number of seconds from 1 to 2147483647` },
  { name: 'sub-second ttl', build: job({ ttlAfterFinished: Duration.millis(1500) }), error: `${PATH} ttlAfterFinished (ttl_after_finished): got 1 second 500 millis; expected a whole number of seconds` },
  { name: 'zero CPU', build: job({ cpuPerWorker: 0 }), error: `${PATH} cpuPerWorker (cpu_per_worker): got 0; expected a positive number of cores in steps of 0.001, e.g. 0.5 or 16` },
  { name: 'CPU finer than a millicore', build: job({ cpuPerWorker: 0.0001 }), error: `${PATH} cpuPerWorker (cpu_per_worker): got 0.0001; expected a positive number of cores in steps of 0.001` },

  // a choice of the wrong kind is named by its public type
  { name: 'a scheduler given as the backend', build: job({ backend: GangScheduler.podGroup() as any }), error: `${PATH} backend: got a GangScheduler; expected a TrainingBackend` },
  { name: 'a backend given as the launcher', build: job({ launcher: TrainingBackend.jobSet() as any }), error: `${PATH} launcher: got a TrainingBackend; expected a TrainingLauncher` },
  { name: 'a launcher given as the scheduler', build: job({ scheduler: TrainingLauncher.raw() as any }), error: `${PATH} scheduler: got a TrainingLauncher; expected a GangScheduler` },

  // image, names, references
  { name: 'empty image', build: job({ image: '' }), error: `${PATH} image: got ""; expected an image reference such as "ghcr.io/acme/train:1.0"` },
  { name: 'image with spaces', build: job({ image: 'ghcr.io/acme/train :1.0' }), error: `${PATH} image: got "ghcr.io/acme/train :1.0"; expected an image reference` },
  { name: 'name not a DNS label', build: job({ name: 'Fine_Tune' }), error: `${PATH} name: got "Fine_Tune"; expected a DNS-1123 label` },
  { name: 'name starting with a digit', build: job({ name: '1finetune' }), error: `${PATH} name: got "1finetune"; the JobSet name also names its headless Service, which must start with a letter (RFC 1035)` },
  {
    name: 'construct id starting with a digit',
    build: (scope) => { new ClusterProfile(scope, 'Cluster', profileFor('default')); new GangTrainingJob(scope, '70b-finetune', jobProps()); },
    error: '[bad-input/70b-finetune] name: got "70b-finetune"; the JobSet name also names its headless Service, which must start with a letter',
  },
  {
    // JobSet v0.12.0's webhook refuses it: the coordinator label value <js>-worker-0-0.<js> is over 63 characters.
    name: 'name too long for the JobSet coordinator label',
    build: job({ name: 'llama-3-70b-instruct-finetune-on-the-research-cluster', workers: 128, gpusPerWorker: GpuRequest.of(1) }),
    error: `${PATH} name: got "llama-3-70b-instruct-finetune-on-the-research-cluster" (53 characters); the coordinator label value ` +
      'of the JobSet, "llama-3-70b-instruct-finetune-on-the-research-cluster-worker-0-0.llama-3-70b-instruct-finetune-on-the-research-cluster" ' +
      '(<JobSet>-<replicatedJob>-0-0.<JobSet>), is 118 characters, but must be a label value of at most 63, or the JobSet webhook ' +
      'refuses the JobSet (JobSet v0.12.0 pkg/webhooks/jobset_webhook.go); with 128 workers the name can have at most 25 characters',
  },
  {
    // 26 characters: every pod hostname is a DNS label (the old check passed it), the coordinator label is 64 characters.
    name: 'a 26-character name: one over the coordinator label limit',
    build: job({ name: 'llama-finetune-research-01', workers: 4 }),
    error: `${PATH} name: got "llama-finetune-research-01" (26 characters); the coordinator label value of the JobSet, ` +
      '"llama-finetune-research-01-worker-0-0.llama-finetune-research-01" (<JobSet>-<replicatedJob>-0-0.<JobSet>), is 64 characters',
  },
  {
    name: 'name too long for the TrainJob\'s JobSet',
    build: job({ backend: TrainingBackend.kubeflowTrainer(), name: 'a'.repeat(27), workers: 10, gpusPerWorker: GpuRequest.of(1) }),
    error: `${PATH} name: got "${'a'.repeat(27)}" (27 characters); the coordinator label value of the JobSet its controller names after ` +
      `the TrainJob, "${'a'.repeat(27)}-node-0-0.${'a'.repeat(27)}" (<JobSet>-<replicatedJob>-0-0.<JobSet>), is 64 characters, but must be a ` +
      'label value of at most 63, or the JobSet webhook refuses the JobSet (JobSet v0.12.0 pkg/webhooks/jobset_webhook.go); with 10 ' +
      'workers the name can have at most 26 characters',
  },
  {
    name: 'two jobs with the same name in one namespace',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', profileFor('default'));
      new GangTrainingJob(scope, 'a', jobProps({ name: 'finetune' }));
      new GangTrainingJob(scope, 'b', jobProps({ name: 'finetune' }));
    },
    error: '[bad-input/b] id: the JobSet name "finetune" in namespace "training" is already used by bad-input/a; give one of the two constructs another id or put them in different namespaces',
  },
  { name: 'bad priorityClassName', build: job({ priorityClassName: 'High Priority' }), error: `${PATH} priorityClassName (priority_class_name): got "High Priority"; expected a PriorityClass name (DNS-1123 subdomain)` },
  { name: 'bad serviceAccountName', build: job({ serviceAccountName: 'Trainer!' }), error: `${PATH} serviceAccountName (service_account_name): got "Trainer!"; expected a ServiceAccount name (DNS-1123 subdomain)` },
  { name: 'unknown success policy', build: job({ successPolicy: 'Majority' as GangSuccessPolicy }), error: `${PATH} successPolicy (success_policy): got "Majority"; expected one of "AllWorkers", "Leader"` },

  // GPUs and pools
  {
    name: 'a pool without GPUs per worker',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', profileFor('default'));
      const pool = new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8 });
      new GangTrainingJob(scope, 'job', jobProps({ nodePool: pool, gpusPerWorker: undefined }));
    },
    error: `${PATH} nodePool (node_pool): a GpuNodePool places GPU workers; set gpusPerWorker too, or leave nodePool unset for a CPU-only job`,
  },
  {
    name: 'the gang does not fit the pool',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', profileFor('default'));
      const pool = new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, maxNodes: 2, name: 'h100' });
      new GangTrainingJob(scope, 'job', jobProps({ nodePool: pool, workers: 5, gpusPerWorker: GpuRequest.of(3, { model: H100 }) }));
    },
    error: `${PATH} workers: got 5; the gang runs all at once, 5 workers x 3 GPUs = 15 GPUs, but pool "h100" fits at most 4 such ` +
      'workers (2 nodes x 2 per node of 8 GPUs); use at most 4 workers or raise the pool\'s maxNodes',
  },
  {
    name: 'one worker\'s GPUs do not fit a node of the pool',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', profileFor('default'));
      const pool = new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 4, maxNodes: 8 });
      new GangTrainingJob(scope, 'job', jobProps({ nodePool: pool, gpusPerWorker: GpuRequest.of(8, { model: H100 }) }));
    },
    error: `${PATH} gpusPerWorker.count (gpus_per_worker.count): got 8; expected at most 4, the GPUs per node of the pool bad-input/pool`,
  },
  {
    name: 'a GPU request the profile cannot run (consumable capacity on 1.34)',
    build: job({ gpusPerWorker: GpuRequest.memoryShare(Size.gibibytes(20)), scheduler: GangScheduler.podGroup() }),
    error: `${PATH} gpusPerWorker.memoryShare (gpus_per_worker.memory_share): GpuRequest.memoryShare (consumable capacity) needs the feature gate DRAConsumableCapacity`,
  },

  // Kueue
  {
    name: 'Kueue with a prioritized list',
    build: job({
      gpusPerWorker: GpuRequest.firstAvailable([GpuRequest.of(8, { model: H100 }), GpuRequest.of(8, { model: GpuModel.NVIDIA_A100_80_GB })]),
    }),
    error: `${PATH} gpusPerWorker (gpus_per_worker): GangScheduler.kueue() cannot admit a GPU request with a prioritized list (firstAvailable): Kueue counts ` +
      'only DRA requests for an exact number of devices and leaves any other workload inadmissible; request whole GPUs with an exact count, e.g. GpuRequest.of(8, { model })',
  },
  {
    name: 'Kueue with all devices of a node',
    build: job({ gpusPerWorker: GpuRequest.allOnNode({ model: H100 }) }),
    error: `${PATH} gpusPerWorker (gpus_per_worker): GangScheduler.kueue() cannot admit a GPU request with all devices of a node (allocationMode: All)`,
  },
  {
    name: 'Kueue with admin access',
    build: job({ gpusPerWorker: GpuRequest.of(8, { adminAccess: true }) }),
    error: `${PATH} gpusPerWorker (gpus_per_worker): GangScheduler.kueue() cannot admit a GPU request with admin access (adminAccess)`,
  },
  {
    name: 'Kueue with a shared claim',
    build: job({ gpusPerWorker: GpuRequest.shared(GpuSharing.timeSlicing()), workers: 2 }),
    error: `${PATH} gpusPerWorker (gpus_per_worker): GangScheduler.kueue() cannot admit a GPU request with one ResourceClaim shared by all pods (Kueue counts only ResourceClaimTemplates)`,
  },
  {
    name: 'Kueue with a capacity share, on 1.37 where the extended resource is the way out',
    build: job({ gpusPerWorker: GpuRequest.memoryShare(Size.gibibytes(20)) }, V1_37_ON),
    error: `${PATH} gpusPerWorker (gpus_per_worker): GangScheduler.kueue() cannot admit a GPU request with a share of device capacity (consumable capacity): ` +
      'Kueue counts only DRA requests for an exact number of devices and leaves any other workload inadmissible; request whole GPUs with an ' +
      'exact count, e.g. GpuRequest.of(8, { model }), or as the extended resource (GpuRequest.of(8, { model, asExtendedResource (as_extended_resource): true }), which Kueue counts)',
  },
  {
    name: 'Kueue queue that the app does not define',
    build: (scope) => {
      recordLocalQueue({ scope, namespace: NAMESPACE, name: 'default' });
      recordLocalQueue({ scope, namespace: 'team-b', name: 'research' });
      job({})(scope);
    },
    error: `${PATH} scheduler.queue: got "research"; the app defines no LocalQueue "research" in namespace "${NAMESPACE}". ` +
      `LocalQueues in the app: team-b/research, ${NAMESPACE}/default`,
  },
  { name: 'Kueue queue not a DNS label', build: job({ scheduler: GangScheduler.kueue({ queue: 'Research Queue' }) }), error: `${PATH} scheduler.queue: got "Research Queue"; expected a DNS-1123 label` },
  {
    name: 'Kueue priority class not a DNS label',
    build: job({ scheduler: GangScheduler.kueue({ queue: 'research', priorityClass: 'HIGH' }) }),
    error: `${PATH} scheduler.priorityClass (scheduler.priority_class): got "HIGH"; expected a DNS-1123 label`,
  },
  {
    name: 'Kueue on a cluster without Kueue',
    build: job({}, { addons: [ClusterAddon.JOBSET] }),
    error: /\[bad-input\/job\] scheduler: GangScheduler.kueue\(\) needs Kueue \(kueue.x-k8s.io\), which the ClusterProfile .* does not list in its addons/,
  },

  // coscheduling
  {
    name: 'PodGroup without scheduler-plugins',
    build: job({ scheduler: GangScheduler.podGroup() }, { addons: ClusterAddon.defaults() }),
    error: /\[bad-input\/job\] scheduler: GangScheduler.podGroup\(\) \(pod_group\(\)\) needs scheduler-plugins coscheduling/,
  },
  {
    name: 'PodGroup scheduler name not a DNS label',
    build: job({ scheduler: GangScheduler.podGroup({ schedulerName: 'Scheduler Plugins' }) }),
    error: `${PATH} scheduler.schedulerName (scheduler.scheduler_name): got "Scheduler Plugins"; expected a DNS-1123 label`,
  },
  {
    name: 'PodGroup schedule timeout of zero',
    build: job({ scheduler: GangScheduler.podGroup({ scheduleTimeout: Duration.seconds(0) }) }),
    error: `${PATH} scheduler.scheduleTimeout (scheduler.schedule_timeout): got 0 seconds; expected a whole number of seconds from 1 to 2147483647`,
  },

  // native Workload API
  {
    name: 'Workload API on Kubernetes 1.34',
    build: job({ scheduler: GangScheduler.workloadApi() }),
    error: `${PATH} scheduler: GangScheduler.workloadApi() (workload_api()) needs the Workload API (scheduling.k8s.io), which Kubernetes 1.34 does not have ` +
      '(alpha from 1.35); target 1.35 or later in the ClusterProfile, or use GangScheduler.kueue() or GangScheduler.podGroup() (pod_group())',
  },
  {
    name: 'Workload API on 1.37 without its gate',
    build: job({ scheduler: GangScheduler.workloadApi() }, V1_37_OFF),
    error: `${PATH} scheduler: GangScheduler.workloadApi() (workload_api()) (scheduling.k8s.io/v1beta1, which the apiserver serves only with ` +
      '--runtime-config=scheduling.k8s.io/v1beta1=true) needs the feature gate GenericWorkload',
  },
  {
    name: 'Workload API on 1.36 without GangScheduling',
    build: job({ scheduler: GangScheduler.workloadApi() }, { ...V1_36, featureGates: { GenericWorkload: true } }),
    error: `${PATH} scheduler: GangScheduler.workloadApi() (workload_api()) (scheduling.k8s.io/v1alpha2, which the apiserver serves only with ` +
      '--runtime-config=scheduling.k8s.io/v1alpha2=true) needs the feature gate GangScheduling',
  },
  {
    name: 'Workload API on 1.35 with a JobSet (workloadRef would be pruned)',
    build: job({ scheduler: GangScheduler.workloadApi() }, V1_35_ON),
    error: `${PATH} scheduler: on Kubernetes 1.35 the Workload API links pods to their group through spec.workloadRef, which the JobSet v0.12 ` +
      'CRD does not keep in its pod template (the apiserver would prune it and the gang would never form); target Kubernetes 1.36 or later, ' +
      'or use GangScheduler.kueue() or GangScheduler.podGroup() (pod_group())',
  },
  {
    name: 'Workload API on 1.35 with a TrainJob',
    build: job({ scheduler: GangScheduler.workloadApi(), backend: TrainingBackend.kubeflowTrainer() }, V1_35_ON),
    error: `${PATH} scheduler: on Kubernetes 1.35 the Workload API links pods to their group through spec.workloadRef, which the Kubeflow Trainer v2.3 TrainingRuntime CRD does not keep`,
  },

  // backends
  {
    name: 'TrainJob on a cluster without Kubeflow Trainer',
    build: job({ backend: TrainingBackend.kubeflowTrainer() }, { addons: ClusterAddon.defaults() }),
    error: /\[bad-input\/job\] backend: TrainingBackend.kubeflowTrainer\(\) \(kubeflow_trainer\(\)\) needs Kubeflow Trainer \(trainer.kubeflow.org\), which the ClusterProfile/,
  },
  {
    name: 'JobSet on a cluster without JobSet',
    build: job({}, { addons: [ClusterAddon.KUEUE] }),
    error: /\[bad-input\/job\] backend: TrainingBackend.jobSet\(\) \(job_set\(\)\) needs JobSet \(jobset.x-k8s.io\)/,
  },
  {
    name: 'TTL on a TrainJob',
    build: job({ backend: TrainingBackend.kubeflowTrainer(), ttlAfterFinished: Duration.hours(1) }),
    error: `${PATH} ttlAfterFinished (ttl_after_finished): the Kubeflow Trainer v2.3 TrainingRuntime has no TTL for finished jobs (a TrainJob is kept until deleted); ` +
      'leave ttlAfterFinished unset or use TrainingBackend.jobSet() (job_set())',
  },

  // launcher: the launcher owns torchrun; the command is the program (issue 16 item 1)
  {
    name: 'torchrun doubled: the command starts with torchrun',
    build: job({ command: ['torchrun', 'train.py', '--config', 'llama.yaml'] }),
    error: `${PATH} command: got ["torchrun","train.py","--config","llama.yaml"]; the torchrun launcher runs torchrun itself (the ` +
      'container would run ["torchrun","torchrun","train.py","--config","llama.yaml"]), so the command is only the training program: ' +
      'the script (or "-m", "module") and its arguments, e.g. ["train.py","--config","llama.yaml"]; or use TrainingLauncher.raw() to run your own torchrun command',
  },
  {
    name: 'torchrun doubled: a torchrun path with its own rendezvous options',
    build: job({ command: ['/usr/local/bin/torchrun', '--nnodes', '4', '--nproc_per_node=8', 'train.py'] }),
    error: `${PATH} command: got ["/usr/local/bin/torchrun","--nnodes","4","--nproc_per_node=8","train.py"]; the torchrun launcher runs ` +
      'torchrun itself (the container would run ["torchrun","/usr/local/bin/torchrun","--nnodes","4","--nproc_per_node=8","train.py"]), so the ' +
      'command is only the training program: the script (or "-m", "module") and its arguments, e.g. ["train.py"]',
  },
  {
    name: 'torchrun doubled: python -m torch.distributed.run',
    build: job({ command: ['python3', '-m', 'torch.distributed.run', 'train.py'] }),
    error: `${PATH} command: got ["python3","-m","torch.distributed.run","train.py"]; the torchrun launcher runs torchrun itself`,
  },
  {
    name: 'torchrun doubled: -m torch.distributed.launch',
    build: job({ command: ['-m', 'torch.distributed.launch', '-m', 'pkg.train'] }),
    error: `${PATH} command: got ["-m","torch.distributed.launch","-m","pkg.train"]; the torchrun launcher runs torchrun itself ` +
      '(the container would run ["torchrun","-m","torch.distributed.launch","-m","pkg.train"]), so the command is only the training ' +
      'program: the script (or "-m", "module") and its arguments, e.g. ["-m","pkg.train"]',
  },
  {
    name: 'a Python interpreter as the torchrun program',
    build: job({ command: ['python', 'train.py'] }),
    error: `${PATH} command: got ["python","train.py"]; torchrun starts the training script with Python itself (["torchrun","python","train.py"] ` +
      'would run "python" as the script), so the command is only the script (or "-m", "module") and its arguments, e.g. ["train.py"]',
  },
  {
    name: 'a rendezvous option before the program',
    build: job({ command: ['--master-port=1234', 'train.py'] }),
    error: `${PATH} command: got ["--master-port=1234","train.py"]; "--master-port" is a torchrun option the launcher sets from the gang ` +
      '(PET_* variables; an option on the command line would override them)',
  },
  {
    name: '--standalone before the program',
    build: job({ command: ['--max-restarts', '0', '--standalone', 'train.py'] }),
    error: `${PATH} command: got ["--max-restarts","0","--standalone","train.py"]; "--standalone" is a torchrun option the launcher sets`,
  },
  { name: 'torchrun without a program', build: job({ command: undefined }), error: `${PATH} command: the torchrun launcher needs the training program` },
  { name: 'torchrun with an empty program', build: job({ command: [] }), error: `${PATH} command: the torchrun launcher needs the training program` },
  { name: 'zero processes per node', build: job({ launcher: TrainingLauncher.torchrun({ procsPerNode: 0 }) }), error: `${PATH} launcher.procsPerNode (launcher.procs_per_node): got 0; expected an integer from 1 to 1024` },
  { name: 'rendezvous port out of range', build: job({ launcher: TrainingLauncher.torchrun({ port: 70000 }) }), error: `${PATH} launcher.port: got 70000; expected an integer from 1 to 65535` },
  {
    name: 'a rendezvous port the Trainer does not use',
    build: job({ backend: TrainingBackend.kubeflowTrainer(), launcher: TrainingLauncher.torchrun({ port: 3389 }) }),
    error: `${PATH} launcher.port: got 3389; expected 29500: the backend's controller always uses that rendezvous port; leave the port unset or use TrainingBackend.jobSet() (job_set())`,
  },
  { name: 'unknown NCCL debug level', build: job({ launcher: TrainingLauncher.torchrun({ nccl: { debug: 'LOUD' } }) }), error: `${PATH} launcher.nccl.debug: got "LOUD"; expected one of VERSION, WARN, INFO, TRACE` },
  { name: 'empty NCCL interface list', build: job({ launcher: TrainingLauncher.torchrun({ nccl: { socketInterfaces: '' } }) }), error: `${PATH} launcher.nccl.socketInterfaces (launcher.nccl.socket_interfaces): got ""; expected an interface list` },
  { name: 'empty NCCL adapter list', build: job({ launcher: TrainingLauncher.torchrun({ nccl: { ibHcas: '' } }) }), error: `${PATH} launcher.nccl.ibHcas (launcher.nccl.ib_hcas): got ""; expected an adapter list` },
  { name: 'empty GPUDirect level', build: job({ launcher: TrainingLauncher.torchrun({ nccl: { gpuDirectLevel: '' } }) }), error: `${PATH} launcher.nccl.gpuDirectLevel (launcher.nccl.gpu_direct_level): got ""; expected a level` },

  // env
  {
    name: 'overriding a torchrun variable',
    build: job({ env: { PET_NNODES: '8' } }),
    error: `${PATH} env.PET_NNODES: got "8"; expected no value: the launcher sets PET_NNODES from the gang (unset it, or use TrainingLauncher.raw())`,
  },
  { name: 'env value not a string', build: job({ env: { EPOCHS: 3 as unknown as string } }), error: `${PATH} env.EPOCHS: got 3; expected a string value` },
  { name: 'invalid env name', build: job({ env: { '1BAD': 'x' } }), error: `${PATH} env.1BAD: got "1BAD"; expected an environment variable name` },

  // secretEnv: validated as InferenceService's
  {
    name: 'secretEnv given the value instead of a reference',
    build: job({ secretEnv: { WANDB_API_KEY: '0123456789abcdef0123456789abcdef01234567' as any } }),
    error: `${PATH} secretEnv.WANDB_API_KEY (secret_env.WANDB_API_KEY): got the string "0123…" (redacted, 40 characters); expected a ` +
      'reference to a key of a Secret, not a value: put the value in a Secret and write secretEnv.WANDB_API_KEY: ' +
      "{ secretName (secret_name): '<secret>', key: '<key>' }",
  },
  {
    name: 'secretEnv with an empty key',
    build: job({ secretEnv: { WANDB_API_KEY: { secretName: 'wandb', key: '' } } }),
    error: `${PATH} secretEnv.WANDB_API_KEY.key (secret_env.WANDB_API_KEY.key): got ""; expected a non-empty string ` +
      "(secretEnv.WANDB_API_KEY: { secretName (secret_name): '<secret>', key: '<key>' })",
  },
  {
    name: 'secretEnv with an invalid env name',
    build: job({ secretEnv: { '1BAD': { secretName: 'wandb', key: 'api-key' } } }),
    error: `${PATH} secretEnv.1BAD (secret_env.1BAD): got "1BAD"; expected an environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*)`,
  },
  {
    name: 'secretEnv with an invalid Secret name',
    build: job({ secretEnv: { WANDB_API_KEY: { secretName: 'Bad_Secret', key: 'api-key' } } }),
    error: `${PATH} secretEnv.WANDB_API_KEY.secretName (secret_env.WANDB_API_KEY.secret_name): got "Bad_Secret"; expected the name of a Secret (DNS-1123 subdomain)`,
  },
  {
    name: 'a variable in both env and secretEnv',
    build: job({ env: { WANDB_PROJECT: 'llama' }, secretEnv: { WANDB_PROJECT: { secretName: 'wandb', key: 'project' } } }),
    error: `${PATH} env.WANDB_PROJECT: got "WANDB_PROJECT"; expected a variable set once`,
  },
  {
    name: 'secretEnv overriding a torchrun variable',
    build: job({ secretEnv: { PET_NNODES: { secretName: 'gang', key: 'nodes' } } }),
    error: `${PATH} secretEnv.PET_NNODES (secret_env.PET_NNODES): got {"secretName":"gang","key":"nodes"}; expected no value: the launcher ` +
      'sets PET_NNODES from the gang (unset it, or use TrainingLauncher.raw())',
  },

  // volumes and topology
  {
    name: 'relative mount path',
    build: job({ volumes: [{ mountPath: 'models', volume: TrainingVolume.fromClaim('models') }] }),
    error: `${PATH} volumes[0].mountPath (volumes[0].mount_path): got "models"; expected an absolute path without ":" or ".." such as "/models"`,
  },
  {
    name: 'two volumes on one path',
    build: job({ dataset: TrainingVolume.fromClaim('data'), volumes: [{ mountPath: '/data/', volume: TrainingVolume.scratch() }] }),
    error: `${PATH} volumes[0].mountPath (volumes[0].mount_path): got "/data/"; expected a path no other volume uses (dataset is mounted there)`,
  },
  {
    name: 'a volume over /dev/shm',
    build: job({ volumes: [{ mountPath: '/dev/shm', volume: TrainingVolume.scratch() }] }),
    error: `${PATH} volumes[0].mountPath (volumes[0].mount_path): got "/dev/shm"; expected a path other than /dev/shm (every worker gets a memory-backed /dev/shm; size it with sharedMemorySize)`,
  },
  {
    name: 'subPath escaping the volume',
    build: job({ volumes: [{ mountPath: '/models', volume: TrainingVolume.fromClaim('models'), subPath: '../etc' }] }),
    error: `${PATH} volumes[0].subPath (volumes[0].sub_path): got "../etc"; expected a relative path inside the volume, without ".."`,
  },
  {
    name: 'claim name not a DNS subdomain',
    build: job({ checkpoints: TrainingVolume.fromClaim('Checkpoints_PVC') }),
    error: `${PATH} checkpoints.volume: got "Checkpoints_PVC"; expected a persistentVolumeClaim name (DNS-1123 subdomain)`,
  },
  {
    name: 'NVLink domain on a pool whose model has no NVLink clique',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', profileFor('default'));
      const pool = new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, maxNodes: 4, name: 'h100' });
      new GangTrainingJob(scope, 'job', jobProps({ nodePool: pool, topology: GangTopology.sameNvlinkDomain() }));
    },
    error: `${PATH} topology: a NVLink domain topology keeps the workers on nodes of one NVLink clique (label nvidia.com/gpu.clique), ` +
      'but pool "h100" has nvidia-h100-80gb GPUs, whose nodes carry no clique label (GPU Feature Discovery v0.20.0 sets it only for GPUs ' +
      'on a multi-node NVLink fabric): the workers would never schedule; use GangTopology.sameZone() (same_zone()) or sameRack(...), or GPUs of a ' +
      'multi-node NVLink model such as GpuModel.NVIDIA_GB200',
  },
  {
    name: 'exclusive NVLink domain for L40S workers without a pool',
    build: job({ gpusPerWorker: GpuRequest.of(2, { model: GpuModel.NVIDIA_L40_S }), topology: GangTopology.sameNvlinkDomain({ exclusive: true }) }),
    error: `${PATH} topology: a NVLink domain topology keeps the workers on nodes of one NVLink clique (label nvidia.com/gpu.clique), ` +
      'but gpusPerWorker asks for nvidia-l40s GPUs, whose nodes carry no clique label',
  },
  {
    name: 'NVLink domain for a CPU-only job',
    build: job({ gpusPerWorker: undefined, topology: GangTopology.sameNvlinkDomain() }),
    error: `${PATH} topology: a NVLink domain topology needs nodes labelled nvidia.com/gpu.clique, which only multi-node NVLink GPU ` +
      'nodes carry; a CPU-only job (no gpusPerWorker) would never schedule',
  },
  {
    name: 'topology on an invalid node label',
    build: job({ topology: GangTopology.sameRack('rack label') }),
    error: `${PATH} topology.nodeLabel (topology.node_label): got "rack label"; expected a node label key such as "topology.kubernetes.io/rack"`,
  },
  // Kueue topology-aware scheduling (a pool with topologyLevels) and the Kueue Configuration
  {
    name: 'preferred topology under a scheduler other than Kueue',
    build: job({ scheduler: GangScheduler.podGroup(), topology: GangTopology.sameRack('example.com/rack', { preferred: true }) }, profileFor('default')),
    error: `${PATH} topology: a preferred topology (preferred: true) is a request to Kueue's topology-aware scheduling, but ` +
      'GangScheduler.podGroup() (pod_group()) schedules this job, which cannot place a gang in a preferred domain',
  },
  {
    name: 'preferred topology on a pool without topologyLevels',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', profileFor('default'));
      const pool = new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, maxNodes: 4, name: 'h100' });
      new GangTrainingJob(scope, 'job', jobProps({ nodePool: pool, topology: GangTopology.sameRack('example.com/rack', { preferred: true }) }));
    },
    error: `${PATH} topology: a preferred topology (preferred: true) needs Kueue's topology-aware scheduling, but the node pool "h100" ` +
      'has no topologyLevels',
  },
  {
    name: 'topology on a label that is not a level of the pool\'s topology',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', { ...profileFor('default'), gpuAllocation: 'DevicePlugin' as ClusterProfileProps['gpuAllocation'] });
      const pool = new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, maxNodes: 4, name: 'h100', topologyLevels: ['example.com/block'] });
      new GangTrainingJob(scope, 'job', jobProps({ nodePool: pool, topology: GangTopology.sameRack('example.com/rack') }));
    },
    error: `${PATH} topology: got a rack topology on node label example.com/rack, which is not a topology level of pool "h100" ` +
      '(levels: example.com/block, kubernetes.io/hostname): Kueue would never admit the gang',
  },
  {
    name: 'exclusive topology on a pool Kueue places by topology',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', { ...profileFor('default'), gpuAllocation: 'DevicePlugin' as ClusterProfileProps['gpuAllocation'] });
      const pool = new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, maxNodes: 4, name: 'h100', topologyLevels: ['example.com/block'] });
      new GangTrainingJob(scope, 'job', jobProps({ nodePool: pool, topology: GangTopology.sameDomain('example.com/block', { exclusive: true }) }));
    },
    error: `${PATH} topology: an exclusive topology keeps other gangs out of the domain through pod anti-affinity, which Kueue's ` +
      'topology-aware scheduling (pool "h100" has topologyLevels) does not see',
  },
  {
    name: 'Kueue gang on a topology pool whose GPUs come through DRA',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', profileFor('default'));
      const pool = new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, maxNodes: 4, name: 'h100', topologyLevels: ['example.com/block'] });
      new GangTrainingJob(scope, 'job', jobProps({ nodePool: pool, topology: GangTopology.sameDomain('example.com/block') }));
    },
    error: `${PATH} nodePool (node_pool): pool "h100" has topologyLevels, so Kueue places its workloads by topology-aware scheduling, ` +
      'which in Kueue v0.19 counts only the resources a node lists as allocatable and never DRA devices',
  },
  {
    name: 'topologyLevels with kubernetes.io/hostname before another level',
    build: (scope) => { new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, topologyLevels: ['kubernetes.io/hostname', 'example.com/rack'] }); },
    error: '[bad-input/pool] topologyLevels[0] (topology_levels[0]): got "kubernetes.io/hostname"; expected kubernetes.io/hostname only as the last (narrowest) level',
  },
  {
    name: 'topologyLevels listing a level twice',
    build: (scope) => { new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, topologyLevels: ['example.com/rack', 'example.com/rack'] }); },
    error: '[bad-input/pool] topologyLevels[1] (topology_levels[1]): got "example.com/rack"; expected a node label not listed before',
  },
  {
    name: 'topologyLevels with an invalid node label',
    build: (scope) => { new GpuNodePool(scope, 'pool', { gpu: H100, gpusPerNode: 8, topologyLevels: ['rack label'] }); },
    error: '[bad-input/pool] topologyLevels[0] (topology_levels[0]): got "rack label"; expected a qualified name such as "example.com/rack"',
  },
  {
    name: 'waitForPodsReady timeout of zero',
    build: () => { ClusterAddon.kueueWith({ waitForPodsReady: { timeout: Duration.seconds(0) } }); },
    error: '[ClusterAddon.kueueWith (kueue_with)] configuration.waitForPodsReady.timeout (configuration.wait_for_pods_ready.timeout): ' +
      'got "0s"; expected a whole number of seconds >= 1',
  },
  {
    name: 'waitForPodsReady timeout in fractions of a second',
    build: () => { ClusterAddon.kueueWith({ waitForPodsReady: { timeout: Duration.millis(1500) } }); },
    error: 'expected a whole number of seconds >= 1',
  },
  {
    name: 'waitForPodsReady requeuing with a negative backoffLimitCount',
    build: () => { ClusterAddon.kueueWith({ waitForPodsReady: { requeuingStrategy: { backoffLimitCount: -1 } } }); },
    error: 'configuration.waitForPodsReady.requeuingStrategy.backoffLimitCount',
  },
  {
    name: 'two Kueue configurations in one profile',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', {
        addons: [ClusterAddon.kueueWith({ waitForPodsReady: {} }), ClusterAddon.kueueWith({ waitForPodsReady: { blockAdmission: true } })],
      });
    },
    error: '[bad-input/Cluster] addons: got "{\\"waitForPodsReady\\":{\\"timeout\\":\\"30m\\"}}, ' +
      '{\\"waitForPodsReady\\":{\\"timeout\\":\\"30m\\",\\"blockAdmission\\":true}}"; expected at most one ClusterAddon.kueueWith(...)',
  },
  // KubeRay: TrainingBackend.rayJob() and RayCluster
  {
    name: 'RayJob under coscheduling',
    build: rayJob({ scheduler: GangScheduler.podGroup() }),
    error: `${PATH} scheduler: TrainingBackend.rayJob() (ray_job()) cannot run under GangScheduler.podGroup() (pod_group()): the gang comes ` +
      'from Kueue\'s RayJob integration, which admits the head, the workers and the submitter as one workload; KubeRay makes its own ' +
      'PodGroup or Workload (operator flag --batch-scheduler) for coscheduling and the Workload API, named after the RayCluster it ' +
      'creates, so objects rendered here would never match its pods; use GangScheduler.kueue()',
  },
  {
    name: 'RayJob under the Workload API',
    build: rayJob({ scheduler: GangScheduler.workloadApi() }, 'latest'),
    error: `${PATH} scheduler: TrainingBackend.rayJob() (ray_job()) cannot run under GangScheduler.workloadApi() (workload_api()): the gang comes from Kueue`,
  },
  {
    name: 'RayJob with the torchrun launcher',
    build: rayJob({ launcher: TrainingLauncher.torchrun() }),
    error: `${PATH} launcher: TrainingBackend.rayJob() (ray_job()) cannot use TrainingLauncher.torchrun(): KubeRay runs the command once, as ` +
      'the Ray job\'s entrypoint on the head, and the program starts its workers as Ray actors (Ray Train\'s TorchTrainer starts one ' +
      'process per GPU); a launcher there would start the processes of one node only; use TrainingLauncher.raw() or leave launcher unset',
  },
  {
    name: 'RayJob without a command',
    build: rayJob({ command: undefined }),
    error: `${PATH} command: a RayJob needs the program to run on the Ray cluster (its entrypoint), e.g. ["python", "train.py"]; set command`,
  },
  {
    name: 'RayJob entrypoint word with a shell character',
    build: rayJob({ args: ['--out', '$HOME/out'] }),
    error: `${PATH} args[1]: got "$HOME/out"; expected a word of letters, digits and _@%+=:,./- (single spaces between such words allowed): ` +
      'the RayJob entrypoint is parsed by the submitter\'s bash and again by the sh of Ray\'s job manager (KubeRay v1.7.0 common/job.go ' +
      'BuildJobSubmitCommand), so quotes, $, \\ and other shell characters would change the command; pass such values through env or a config file',
  },
  {
    name: 'RayJob with per-pod retries',
    build: rayJob({ backoffLimit: 2 }),
    error: `${PATH} backoffLimit (backoff_limit): got 2; a RayJob has no per-pod retries (KubeRay replaces a failed worker pod and Ray ` +
      'Train\'s FailureConfig decides whether the run survives it); leave backoffLimit unset and use maxRestarts for whole-cluster retries',
  },
  {
    name: 'RayJob succeeding on the leader',
    build: rayJob({ successPolicy: GangSuccessPolicy.LEADER }),
    error: `${PATH} successPolicy (success_policy): a RayJob succeeds when its entrypoint succeeds; leave successPolicy unset`,
  },
  {
    name: 'RayJob with an exclusive topology',
    build: rayJob({ topology: GangTopology.sameZone({ exclusive: true }) }),
    error: `${PATH} topology: an exclusive topology is JobSet's exclusive placement, which a RayJob does not have; drop exclusive, or use ` +
      'TrainingBackend.jobSet() (job_set())',
  },
  {
    name: 'RayJob name longer than KubeRay allows',
    build: rayJob({ name: 'llama-3-70b-instruct-finetune-on-the-research-queue' }),
    error: `${PATH} name: got "llama-3-70b-instruct-finetune-on-the-research-queue" (51 characters); a RayJob name can have at most 47 ` +
      'characters, or its controller refuses it (KubeRay v1.7.0 ray-operator/controllers/ray/utils/validation.go ValidateRayJobMetadata)',
  },
  {
    name: 'RayJob on a profile without KubeRay',
    build: rayJob({}, 'no-kuberay'),
    error: `${PATH} backend: TrainingBackend.rayJob() (ray_job()) needs KubeRay (ray.io), which the ClusterProfile "bad-input/Cluster" does not list in its addons`,
  },
  {
    name: 'RayJob head without CPU',
    build: rayJob({ backend: TrainingBackend.rayJob({ headCpu: 0 }) }),
    error: `${PATH} backend.headCpu (backend.head_cpu): got 0; expected a positive number of cores in steps of 0.001, e.g. 0.5 or 4`,
  },
  {
    name: 'RayJob Ray version with a v',
    build: rayJob({ backend: TrainingBackend.rayJob({ rayVersion: 'v2.52' }) }),
    error: `${PATH} backend.rayVersion (backend.ray_version): got "v2.52"; expected a Ray version such as "2.52.0"`,
  },
  {
    name: 'RayJob sidecar submission (its submitter would fail Pod Security restricted)',
    build: rayJob({ backend: TrainingBackend.rayJob({ submissionMode: 'SidecarMode' as RaySubmissionMode }) }),
    error: `${PATH} backend.submissionMode (backend.submission_mode): got "SidecarMode"; expected one of "K8sJobMode", "HTTPMode"`,
  },
  {
    name: 'RayJob head CPU of the wrong type',
    build: (scope) => rayJob({ backend: TrainingBackend.rayJob({ headCpu: 'two' as unknown as number }) })(scope),
    error: '[TrainingBackend.rayJob()] options.headCpu (options.head_cpu): got "two" (a string); expected a number',
  },
  {
    name: 'RayCluster autoscaling under Kueue on a topology pool',
    build: (scope) => {
      new ClusterProfile(scope, 'Cluster', profileFor('default', { addons: [...TRAINING_ADDONS, ClusterAddon.KUBERAY], gpuAllocation: GpuAllocation.DEVICE_PLUGIN }));
      const nodePool = new GpuNodePool(scope, 'pool', { name: 'racks', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4, topologyLevels: ['example.com/rack'] });
      new RayCluster(scope, 'ray', {
        image: 'rayproject/ray:2.52.0-py312-gpu',
        minWorkers: 1,
        maxWorkers: 2,
        gpusPerWorker: GpuRequest.of(8),
        nodePool,
        scheduler: GangScheduler.kueue({ queue: 'research' }),
      });
    },
    error: '[bad-input/ray] minWorkers (min_workers): got 1 with maxWorkers 2 on the pool racks, which has topologyLevels; ' +
      'Kueue v0.19 scales an elastic job on a topology flavor only with its alpha gate ElasticJobsViaWorkloadSlicesWithTAS',
  },
  {
    name: 'RayCluster under the Workload API',
    build: rayCluster({ scheduler: GangScheduler.workloadApi() }),
    error: '[bad-input/ray] scheduler: a RayCluster cannot run under GangScheduler.workloadApi() (workload_api()): KubeRay makes its own PodGroup ' +
      'or Workload for coscheduling and the Workload API (operator flag --batch-scheduler); use GangScheduler.kueue() or leave scheduler unset',
  },
  {
    name: 'RayCluster with more minWorkers than maxWorkers',
    build: rayCluster({ minWorkers: 3 }),
    error: '[bad-input/ray] minWorkers (min_workers): got 3; expected at most maxWorkers (2)',
  },
  {
    name: 'RayCluster without workers',
    build: rayCluster({ maxWorkers: 0 }),
    error: '[bad-input/ray] maxWorkers (max_workers): got 0; expected an integer from 1 to 2147483647',
  },
  {
    name: 'RayCluster name starting with a digit',
    build: rayCluster({ name: '7b-lab' }),
    error: '[bad-input/ray] name: got "7b-lab"; KubeRay requires a RayCluster name that starts with a letter (DNS-1035); set name or give the ' +
      'construct an id that starts with a letter',
  },
  {
    name: 'RayCluster on a profile without KubeRay',
    build: rayCluster({}, 'no-kuberay'),
    error: '[bad-input/ray] image: A RayCluster (ray.io/v1) needs KubeRay (ray.io), which the ClusterProfile "bad-input/Cluster" does not list in its addons',
  },
  {
    name: 'RayCluster under Kueue with a prioritized GPU list',
    build: rayCluster({
      scheduler: GangScheduler.kueue({ queue: 'research' }),
      gpusPerWorker: GpuRequest.firstAvailable([GpuRequest.of(1, { model: GpuModel.NVIDIA_L4 }), GpuRequest.of(1)]),
    }),
    error: '[bad-input/ray] gpusPerWorker (gpus_per_worker): GangScheduler.kueue() cannot admit a GPU request with a prioritized list (firstAvailable)',
  },
  // launchers beyond torchrun (src/training/launchers/)
  {
    name: 'deepspeed launcher given deepspeed itself',
    build: job({ launcher: TrainingLauncher.deepspeed(), command: ['deepspeed', 'train.py'] }),
    error: `${PATH} command: got ["deepspeed","train.py"]; TrainingLauncher.deepspeed() runs deepspeed itself (the container would run ` +
      'deepspeed twice), so the command is only the training program, e.g. ["train.py", "--deepspeed", "ds_config.json"]',
  },
  {
    name: 'deepspeed launcher given a Python interpreter',
    build: job({ launcher: TrainingLauncher.deepspeed(), command: ['python3', 'train.py'] }),
    error: `${PATH} command: got ["python3","train.py"]; TrainingLauncher.deepspeed() starts the training script with Python itself`,
  },
  {
    name: 'deepspeed launcher given an option it sets from the gang',
    build: job({ launcher: TrainingLauncher.deepspeed(), command: ['--num_gpus', '4', 'train.py'] }),
    error: `${PATH} command: got ["--num_gpus","4","train.py"]; "--num_gpus" is an option TrainingLauncher.deepspeed() sets from the gang`,
  },
  {
    name: 'deepspeed hostfile over the 1 MiB a ConfigMap holds',
    build: job({ launcher: TrainingLauncher.deepspeed(), workers: 100_000, gpusPerWorker: undefined }),
    error: `${PATH} workers: got 100000; the deepspeed hostfile of 100000 workers (one line per worker, e.g. `,
  },
  {
    name: 'deepspeed options of the wrong type',
    build: () => TrainingLauncher.deepspeed({ procsPerNode: '8' as any }),
    error: '[TrainingLauncher.deepspeed()] options.procsPerNode (options.procs_per_node): got "8" (a string); expected a number',
  },
  {
    name: 'jax coordinator port other than Kubeflow Trainer\'s',
    build: job({ backend: TrainingBackend.kubeflowTrainer(), launcher: TrainingLauncher.jax({ port: 1234 }) }),
    error: `${PATH} launcher.port: got 1234; expected 29500: the controller of the Kubeflow Trainer v2.3 TrainingRuntime always puts that ` +
      'port in JAX_COORDINATOR_ADDRESS; leave the port unset or use TrainingBackend.jobSet()',
  },
  {
    name: 'jax coordinator port out of range',
    build: job({ launcher: TrainingLauncher.jax({ port: 70000 }) }),
    error: `${PATH} launcher.port: got 70000; expected an integer from 1 to 65535`,
  },
  {
    name: 'mpi on a JobSet without an SSH key Secret',
    build: job({ launcher: TrainingLauncher.mpi(), command: ['python', 'train.py'] }),
    error: `${PATH} launcher.sshAuthSecret (launcher.ssh_auth_secret): mpirun starts the ranks over SSH, so the launcher and workers need a ` +
      'shared key pair: create a Secret of type kubernetes.io/ssh-auth with the keys ssh-privatekey and ssh-publickey (for example from ' +
      'ssh-keygen, never committed in clear text) and name it in the launcher\'s sshAuthSecret option',
  },
  {
    name: 'mpi on Kubeflow Trainer with an SSH key Secret (the controller generates one)',
    build: job({ backend: TrainingBackend.kubeflowTrainer(), launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }), command: ['python', 'train.py'] }),
    error: `${PATH} launcher.sshAuthSecret (launcher.ssh_auth_secret): the controller of the Kubeflow Trainer v2.3 TrainingRuntime generates an SSH key pair for every ` +
      'TrainJob (the Secret <name>-mpi-ssh-auth) and mounts it itself; leave sshAuthSecret unset',
  },
  {
    name: 'mpi SSH Secret name not a DNS subdomain',
    build: job({ launcher: TrainingLauncher.mpi({ sshAuthSecret: 'MPI_SSH' }), command: ['python', 'train.py'] }),
    error: `${PATH} launcher.sshAuthSecret (launcher.ssh_auth_secret): got "MPI_SSH"; expected the name of a Secret (DNS-1123 subdomain)`,
  },
  {
    name: 'mpi SSH directory not below a home directory',
    build: job({ launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh', sshAuthMountPath: '.ssh' }), command: ['python', 'train.py'] }),
    error: `${PATH} launcher.sshAuthMountPath (launcher.ssh_auth_mount_path): got ".ssh"; expected the absolute path of a .ssh directory below a home directory`,
  },
  {
    name: 'mpi given mpirun itself',
    build: job({ launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }), command: ['mpirun', '-np', '8', 'python', 'train.py'] }),
    error: `${PATH} command: got ["mpirun","-np","8","python","train.py"]; TrainingLauncher.mpi() runs mpirun itself`,
  },
  {
    name: 'mpirun options that set the process count',
    build: job({ launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh', mpirunArgs: ['-np', '4'] }), command: ['python', 'train.py'] }),
    error: `${PATH} launcher.mpirunArgs (launcher.mpirun_args): got ["-np","4"]; expected mpirun options other than -np, which the launcher sets from the gang`,
  },
  {
    name: 'mpi job that succeeds with its leader (the workers only run sshd)',
    build: job({ launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }), command: ['python', 'train.py'], successPolicy: GangSuccessPolicy.LEADER }),
    error: `${PATH} successPolicy (success_policy): with TrainingLauncher.mpi() the workers only run sshd and the job succeeds when mpirun on the launcher pod does`,
  },
  {
    name: 'mpi job setting an Open MPI variable the launcher sets',
    build: job({ launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }), command: ['python', 'train.py'], env: { OMPI_MCA_plm_rsh_args: '-p 22' } }),
    error: `${PATH} env.OMPI_MCA_plm_rsh_args: got "OMPI_MCA_plm_rsh_args"; expected no value: the launcher sets OMPI_MCA_plm_rsh_args on the launcher pod`,
  },
  {
    name: 'a volume over the MPI hostfile',
    build: job({
      launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }),
      command: ['python', 'train.py'],
      volumes: [{ mountPath: '/etc/mpi', volume: TrainingVolume.fromConfigMap('mine') }],
    }),
    error: `${PATH} volumes[0].mountPath (volumes[0].mount_path): got "/etc/mpi"; expected a path no other volume uses (the launcher's volume is mounted there)`,
  },
  {
    name: 'a volume over the SSH keys Kubeflow Trainer mounts',
    build: job({
      backend: TrainingBackend.kubeflowTrainer(),
      launcher: TrainingLauncher.mpi(),
      command: ['python', 'train.py'],
      volumes: [{ mountPath: '/home/mpiuser/.ssh', volume: TrainingVolume.fromSecret('keys') }],
    }),
    error: `${PATH} volumes[0].mountPath (volumes[0].mount_path): got "/home/mpiuser/.ssh"; expected a path no other volume uses (the launcher's volume is mounted there)`,
  },

  // failure policy by exit code (src/training/failure-rules.ts)
  {
    name: 'exit code 0 (success) in a failure policy',
    build: job({ failurePolicy: { failFastExitCodes: [0] } }),
    error: `${PATH} failurePolicy.failFastExitCodes[0] (failure_policy.fail_fast_exit_codes[0]): got 0; expected an exit code from 1 to 255 (0 is success; a process killed by signal n exits with 128 + n)`,
  },
  {
    name: 'exit code above 255',
    build: job({ failurePolicy: { restartExitCodes: [137, 256] } }),
    error: `${PATH} failurePolicy.restartExitCodes[1] (failure_policy.restart_exit_codes[1]): got 256; expected an exit code from 1 to 255`,
  },
  {
    name: 'fractional exit code',
    build: job({ failurePolicy: { restartExitCodes: [1.5] } }),
    error: `${PATH} failurePolicy.restartExitCodes[0] (failure_policy.restart_exit_codes[0]): got 1.5; expected an exit code from 1 to 255`,
  },
  {
    name: 'an exit code listed twice',
    build: job({ failurePolicy: { failFastExitCodes: [1, 2, 1] } }),
    error: `${PATH} failurePolicy.failFastExitCodes[2] (failure_policy.fail_fast_exit_codes[2]): got 1; expected each exit code once`,
  },
  {
    name: 'an exit code that both fails fast and restarts',
    build: job({ failurePolicy: { failFastExitCodes: [1, 137], restartExitCodes: [137] } }),
    error: `${PATH} failurePolicy (failure_policy): exit code 137 is both in failFastExitCodes and restartExitCodes; a code either fails the job or restarts the gang, so list it once`,
  },
  {
    name: 'an unknown action for other failures',
    build: job({ failurePolicy: { otherFailures: 'Retry' as GangFailureAction } }),
    error: `${PATH} failurePolicy.otherFailures (failure_policy.other_failures): got "Retry"; expected one of "Restart", "Fail"`,
  },
  {
    name: 'exit codes given as a string',
    build: job({ failurePolicy: { failFastExitCodes: '1' as any } }),
    error: `${PATH} failurePolicy.failFastExitCodes (failure_policy.fail_fast_exit_codes): got "1" (a string); expected an array`,
  },
  {
    name: 'a failure policy on a RayJob',
    build: job({ backend: TrainingBackend.rayJob(), launcher: TrainingLauncher.raw(), failurePolicy: { failFastExitCodes: [1] } }),
    error: `${PATH} failurePolicy (failure_policy): failurePolicy becomes part of a JobSet (a Job pod failure policy and JobSet failure rules, ` +
      'or replicated jobs the workers depend on), but the backend runs a RayJob (KubeRay v1.7 RayJob); leave failurePolicy unset',
  },

  // initializers and checkpoints (src/training/initializer-jobs.ts, gang-roles.ts)
  {
    name: 'a model initializer without a model volume',
    build: job({ initializers: [TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', { target: InitializerTarget.MODEL })] }),
    error: `${PATH} initializers[0]: the initializer fills the job's model volume, which is not set; set model: TrainingVolume.fromClaim('<claim>')`,
  },
  {
    name: 'an initializer into a per-pod scratch volume',
    build: job({ dataset: TrainingVolume.scratch(), initializers: [TrainingInitializer.huggingFace('tatsu-lab/alpaca', { target: InitializerTarget.DATASET })] }),
    error: `${PATH} dataset.volume: got "emptyDir"; expected a PersistentVolumeClaim (TrainingVolume.fromClaim), because initializers[0] writes into it: ` +
      'a emptyDir volume is gone with the initializer pod',
  },
  {
    name: 'two initializers for one volume',
    build: job({
      dataset: TrainingVolume.fromClaim('data'),
      initializers: [
        TrainingInitializer.huggingFace('tatsu-lab/alpaca', { target: InitializerTarget.DATASET }),
        TrainingInitializer.fromContainer({ target: InitializerTarget.DATASET, image: 'ghcr.io/acme/fetch:1' }),
      ],
    }),
    error: `${PATH} initializers[1]: initializers[0] already fills the dataset volume; give each target one initializer`,
  },
  {
    name: 'an initializer given as a string',
    build: job({ initializers: ['hf://meta-llama/Llama-3.1-8B' as any] }),
    error: `${PATH} initializers[0]: got "hf://meta-llama/Llama-3.1-8B" (a string); expected a TrainingInitializer such as TrainingInitializer.huggingFace(...)`,
  },
  {
    name: 'a Hugging Face repository without a namespace',
    build: () => TrainingInitializer.huggingFace('llama', { target: InitializerTarget.MODEL }),
    error: '[TrainingInitializer.huggingFace()] repository: got "llama"; expected a Hugging Face repository id "<namespace>/<name>"',
  },
  {
    name: 'an unknown initializer target',
    build: () => TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', { target: 'weights' as InitializerTarget }),
    error: '[TrainingInitializer.huggingFace()] options.target: got "weights"; expected InitializerTarget.DATASET or InitializerTarget.MODEL',
  },
  {
    name: 'an ignore pattern with a comma',
    build: () => TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', { target: InitializerTarget.MODEL, ignorePatterns: ['*.pt,*.bin'] }),
    error: '[TrainingInitializer.huggingFace()] options.ignorePatterns (options.ignore_patterns): got "*.pt,*.bin"; expected glob patterns without commas',
  },
  {
    name: 'an initializer token given as a value',
    build: () => TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', { target: InitializerTarget.MODEL, tokenSecret: 'hf_abcdefghijklmnopqrstuvwxyz0123456789' as any }),
    error: '[TrainingInitializer.huggingFace()] options.tokenSecret (options.token_secret): got "hf_a…" (redacted, 39 characters) (a string); ' +
      'expected a Secret key reference such as { secretName (secret_name): \'hf-token\', key: \'token\' }, not the token',
  },
  {
    name: 'an initializer variable that is not a variable name',
    build: job({
      dataset: TrainingVolume.fromClaim('data'),
      initializers: [TrainingInitializer.fromContainer({ target: InitializerTarget.DATASET, image: 'ghcr.io/acme/fetch:1', env: { 'S3 BUCKET': 'x' } })],
    }),
    error: `${PATH} initializers[0].env.S3 BUCKET: got "S3 BUCKET"; expected an environment variable name`,
  },
  {
    name: 'an initializer image with spaces',
    build: job({
      dataset: TrainingVolume.fromClaim('data'),
      initializers: [TrainingInitializer.fromContainer({ target: InitializerTarget.DATASET, image: 'ghcr.io/acme/fetch :1' })],
    }),
    error: `${PATH} initializers[0].image: got "ghcr.io/acme/fetch :1"; expected an image reference such as "ghcr.io/acme/fetch-data:1.2"`,
  },
  {
    name: 'initializers on a RayJob',
    build: job({
      backend: TrainingBackend.rayJob(),
      launcher: TrainingLauncher.raw(),
      dataset: TrainingVolume.fromClaim('data'),
      initializers: [TrainingInitializer.huggingFace('tatsu-lab/alpaca', { target: InitializerTarget.DATASET })],
    }),
    error: `${PATH} initializers: initializers becomes part of a JobSet`,
  },
  {
    name: 'resumeFromCheckpoint without a checkpoint volume',
    build: job({ resumeFromCheckpoint: true }),
    error: `${PATH} resumeFromCheckpoint (resume_from_checkpoint): resuming needs the checkpoint volume; set checkpoints: ` +
      'TrainingVolume.fromClaim(\'<claim>\') (from_claim(...)) too, or leave resumeFromCheckpoint unset',
  },
];

badInputCatalogue(ROWS, { title: 'GangTrainingJob bad inputs', scope: (app) => new Chart(app, 'bad-input', { namespace: NAMESPACE }) });


/** A GangTrainingJob with TrainingBackend.rayJob() on a profile with KubeRay (1.34, or 1.37 with the Workload API). */
function rayJob(props: Partial<GangTrainingJobProps>, profile: 'default' | 'latest' | 'no-kuberay' = 'default') {
  const addons = profile === 'no-kuberay' ? TRAINING_ADDONS : [...TRAINING_ADDONS, ClusterAddon.KUBERAY];
  return job({ command: ['python', 'train.py'], backend: TrainingBackend.rayJob(), ...props }, profileFor(profile === 'latest' ? 'latest' : 'default', { addons }));
}

/** A RayCluster of two workers on a profile with KubeRay. */
function rayCluster(props: Partial<RayClusterProps>, profile: 'default' | 'no-kuberay' = 'default') {
  const addons = profile === 'no-kuberay' ? TRAINING_ADDONS : [...TRAINING_ADDONS, ClusterAddon.KUBERAY];
  return (scope: Construct) => {
    new ClusterProfile(scope, 'Cluster', profileFor('default', { addons }));
    new RayCluster(scope, 'ray', { image: 'rayproject/ray:2.52.0-py312-gpu', maxWorkers: 2, ...props });
  };
}

// Issue 16 fidelity checks for gang training and GPU node pools, read against the upstream consumers at the pinned
// versions: torchrun's CLI (PyTorch torch/distributed/run.py, argparse_util.py), JobSet v0.12.0's webhook, GPU Feature
// Discovery v0.20.0's clique label and Karpenter v1.14.1's NodePool.
import { App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { appFor, build, containerEnv, find, jobProps, jobSetSpecOf, podTemplateOf, synth } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { KarpenterDisruptionReason, KarpenterExpiry } from '../../src/accelerators/provisioners/karpenter-disruption';
import { KarpenterProvisionerProps } from '../../src/accelerators/provisioners/karpenter-provisioner';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { GangTopology } from '../../src/training/gang-topology';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { maxJobSetNameLength } from '../../src/training/jobset-names';
import { TrainingBackend } from '../../src/training/training-backend';
import { BadInputRow, badInputCatalogue, toObjects } from '../harness';
import { synthExample } from '../scanners/example-app';

/** JobSet v0.12.0 pkg/controllers/jobset_controller.go CoordinatorEndpoint, with the default subdomain (the JobSet name). */
function coordinatorEndpoint(jobSet: any): string {
  const c = jobSetSpecOf(jobSet).coordinator;
  const subdomain = jobSetSpecOf(jobSet).network?.subdomain ?? jobSet.metadata.name;
  return `${jobSet.metadata.name}-${c.replicatedJob}-${c.jobIndex}-${c.podIndex}.${subdomain}`;
}

describe('torchrun: the launcher owns torchrun, the command is the program', () => {
  test('the README form runs `torchrun train.py` once, with torchrun\'s rendezvous options as PET_* variables', () => {
    const { objects } = build('default', { command: ['train.py'], args: ['--config', 'llama.yaml'] });
    const jobSet = find(objects, 'JobSet');
    const container = podTemplateOf(jobSet).spec.containers[0];
    expect([...container.command, ...container.args]).toEqual(['torchrun', 'train.py', '--config', 'llama.yaml']);
    // torch/distributed/argparse_util.py: option `--x-y` (dest x_y) is read from PET_X_Y; run.py's dests:
    const env = containerEnv(jobSet);
    const options = { nnodes: '4', nproc_per_node: '8', node_rank: "metadata.annotations['batch.kubernetes.io/job-completion-index']" };
    for (const [dest, value] of Object.entries(options)) expect(env[`PET_${dest.toUpperCase()}`]).toBe(value);
    // Static rendezvous (run.py's default --rdzv-backend) at --master-addr:--master-port, the JobSet coordinator.
    expect(env.PET_MASTER_ADDR).toBe(coordinatorEndpoint(jobSet));
    expect(env.PET_MASTER_PORT).toBe('29500');
    expect(Object.keys(env).filter((k) => k.startsWith('PET_RDZV') || k === 'PET_STANDALONE')).toEqual([]);
    expect(container.ports).toEqual([{ name: 'rendezvous', containerPort: 29500, protocol: 'TCP' }]);
  });

  test('a module program and torchrun options that are not the launcher\'s pass through', () => {
    const { objects } = build('default', { command: ['--max-restarts', '0', '--no-python', 'bin/train.sh'] });
    expect(podTemplateOf(find(objects, 'JobSet')).spec.containers[0].args).toEqual(['--max-restarts', '0', '--no-python', 'bin/train.sh']);
    const module = build('default', { command: ['-m', 'pkg.train', '--nnodes', '2'] });
    expect(podTemplateOf(find(module.objects, 'JobSet')).spec.containers[0].args).toEqual(['-m', 'pkg.train', '--nnodes', '2']);
  });

  test('the example app (and so its Python and Go twins) runs torchrun once', () => {
    const { objects } = synthExample();
    const jobSets = objects.filter((o) => o.kind === 'JobSet');
    expect(jobSets.length).toBeGreaterThan(0);
    for (const jobSet of jobSets) {
      const container = podTemplateOf(jobSet).spec.containers[0];
      expect(container.command).toEqual(['torchrun']);
      expect(container.args[0]).toBe('train.py');
      expect(coordinatorEndpoint(jobSet).length).toBeLessThanOrEqual(63);
    }
  }, 120_000);
});

describe('JobSet names within the JobSet v0.12.0 webhook limits', () => {
  test('the longest name: 25 characters for a JobSet (coordinator label), 26 for a TrainJob', () => {
    for (const workers of [1, 10, 1000, 100_000]) {
      expect(maxJobSetNameLength('worker', workers)).toBe(25);
      expect(maxJobSetNameLength('node', workers)).toBe(26);
    }
    // The pod name (with the webhook's 5-character suffix) binds for a long replicated job name.
    expect(maxJobSetNameLength('x'.repeat(45), 100_000)).toBe(63 - '-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-0-99999-abcde'.length);
  });

  test('a 25-character name passes (coordinator label 62 characters; 26 would make it 64)', () => {
    const { objects } = build('default', { name: 'llama-finetune-research-1' });
    expect(coordinatorEndpoint(find(objects, 'JobSet'))).toHaveLength(62);
  });

  test('a long construct path is shortened deterministically to fit, for both backends', () => {
    for (const backend of [TrainingBackend.jobSet(), TrainingBackend.kubeflowTrainer()]) {
      const names = [0, 1].map(() => {
        const fixture = appFor('latest');
        const job = new GangTrainingJob(fixture.chart, 'llama-3-70b-instruct-finetune-on-the-research-cluster', jobProps({ backend, workers: 512 }));
        const objects = synth(fixture);
        const template = objects.find((o) => o.kind === 'JobSet' || o.kind === 'TrainingRuntime')!;
        const rjob = jobSetSpecOf(template).replicatedJobs[0].name;
        expect(`${job.name}-${rjob}-0-0.${job.name}`.length).toBeLessThanOrEqual(63);
        expect(containerEnv(template).PET_MASTER_ADDR ?? `${job.name}-${rjob}-0-0.${job.name}`).toBe(job.leaderAddress);
        return job.name;
      });
      expect(names[0]).toBe(names[1]);
      expect(names[0]).toMatch(/^llama-3-70b-inst[a-z0-9-]*-[0-9a-f]{8}$/);
    }
  });
});

describe('GangTopology.sameNvlinkDomain() only where NVLink cliques exist', () => {
  test('a GB200 pool, and a pool that names its clique, are accepted', () => {
    const gb = appFor('default');
    const pool = new GpuNodePool(gb.chart, 'gb200', { gpu: GpuModel.NVIDIA_GB200, gpusPerNode: 4, maxNodes: 18 });
    new GangTrainingJob(gb.chart, 'finetune', jobProps({ nodePool: pool, gpusPerWorker: GpuRequest.of(4, { model: GpuModel.NVIDIA_GB200 }), topology: GangTopology.sameNvlinkDomain() }));
    const affinity = podTemplateOf(find(synth(gb), 'JobSet')).spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(affinity.topologyKey).toBe('nvidia.com/gpu.clique');

    const named = appFor('default');
    const clique = new GpuNodePool(named.chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4, nvlinkClique: 'c3a5.1' });
    new GangTrainingJob(named.chart, 'finetune', jobProps({ nodePool: clique, topology: GangTopology.sameNvlinkDomain() }));
    expect(() => synth(named)).not.toThrow();
  });
});

// --- Karpenter NodePools for GPU nodes (Karpenter v1.14.1 pkg/apis/crds/karpenter.sh_nodepools.yaml) ---

const NODE_CLASS = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' };

function karpenterPool(scope: Construct, props: Partial<KarpenterProvisionerProps> = {}): Chart {
  new ClusterProfile(scope, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KARPENTER] });
  const chart = new Chart(scope, 'c');
  new GpuNodePool(chart, 'p', {
    gpu: GpuModel.NVIDIA_H100_80_GB,
    gpusPerNode: 8,
    maxNodes: 4,
    provisioner: NodeProvisioner.karpenter({ nodeClass: NODE_CLASS, instanceTypes: ['p5.48xlarge'], ...props }),
  });
  return chart;
}

function nodePool(props: Partial<KarpenterProvisionerProps> = {}): any {
  const app = new App();
  const chart = karpenterPool(app, props);
  app.synthYaml();
  return toObjects(chart).find((o) => o.kind === 'NodePool');
}

describe('Karpenter NodePools suited to GPU nodes', () => {
  test('defaults: 720h lifetime, a day of drain grace, drift and consolidation one node at a time, empty nodes at once', () => {
    const pool = nodePool();
    expect(pool.spec.template.spec.expireAfter).toBe('720h');
    expect(pool.spec.template.spec.terminationGracePeriod).toBe('24h');
    expect(pool.spec.disruption).toEqual({
      consolidationPolicy: 'WhenEmpty',
      consolidateAfter: '600s',
      budgets: [{ nodes: '1', reasons: ['Drifted', 'Underutilized'] }, { nodes: '100%', reasons: ['Empty'] }],
    });
  });

  test('props change them', () => {
    const pool = nodePool({
      expireAfter: KarpenterExpiry.never(),
      terminationGracePeriod: Duration.minutes(90),
      disruptionBudgets: [
        { nodes: '0', schedule: '0 9 * * 1-5', duration: Duration.hours(8), reasons: [KarpenterDisruptionReason.DRIFTED] },
        { nodes: '20%' },
      ],
    });
    expect(pool.spec.template.spec.expireAfter).toBe('Never');
    expect(pool.spec.template.spec.terminationGracePeriod).toBe('90m');
    expect(pool.spec.disruption.budgets).toEqual([
      { nodes: '0', schedule: '0 9 * * 1-5', duration: '8h', reasons: ['Drifted'] },
      { nodes: '20%' },
    ]);
    expect(nodePool({ expireAfter: KarpenterExpiry.after(Duration.days(14)) }).spec.template.spec.expireAfter).toBe('336h');
  });
});

function karpenterRow(name: string, props: Partial<KarpenterProvisionerProps>, error: string): BadInputRow {
  return { name, error, build: (scope) => karpenterPool(scope, props) };
}

badInputCatalogue([
  karpenterRow('budget nodes not a count or percentage', { disruptionBudgets: [{ nodes: 'ten' }] },
    '[bad-input/c/p] provisioner.disruptionBudgets[0].nodes (provisioner.disruption_budgets[0].nodes): got "ten"; expected a node count such as "1" or a percentage such as "10%"'),
  karpenterRow('budget percentage over 100', { disruptionBudgets: [{ nodes: '150%' }] }, '[bad-input/c/p] provisioner.disruptionBudgets[0].nodes (provisioner.disruption_budgets[0].nodes): got "150%"'),
  karpenterRow('budget schedule without duration', { disruptionBudgets: [{ nodes: '0', schedule: '@daily' }] },
    '[bad-input/c/p] provisioner.disruptionBudgets[0].duration (provisioner.disruption_budgets[0].duration): got none; schedule and duration go together'),
  karpenterRow('budget duration in seconds', { disruptionBudgets: [{ nodes: '0', schedule: '@daily', duration: Duration.seconds(90) }] },
    '[bad-input/c/p] provisioner.disruptionBudgets[0].duration (provisioner.disruption_budgets[0].duration): got 1 minute 30 seconds; expected whole minutes'),
  karpenterRow('budget schedule not cron', { disruptionBudgets: [{ nodes: '0', schedule: 'weekdays', duration: Duration.hours(1) }] },
    '[bad-input/c/p] provisioner.disruptionBudgets[0].schedule (provisioner.disruption_budgets[0].schedule): got "weekdays"; expected a cron schedule'),
  karpenterRow('budget reason twice', { disruptionBudgets: [{ nodes: '1', reasons: [KarpenterDisruptionReason.EMPTY, KarpenterDisruptionReason.EMPTY] }] },
    '[bad-input/c/p] provisioner.disruptionBudgets[0].reasons[1] (provisioner.disruption_budgets[0].reasons[1]): got "Empty" twice'),
  karpenterRow('no budgets', { disruptionBudgets: [] }, '[bad-input/c/p] provisioner.disruptionBudgets (provisioner.disruption_budgets): got 0 budgets; expected 1 to 50'),
  karpenterRow('zero lifetime', { expireAfter: KarpenterExpiry.after(Duration.seconds(0)) },
    '[bad-input/c/p] provisioner.expireAfter (provisioner.expire_after): got 0 seconds; expected a whole number of seconds, at least 1'),
  karpenterRow('fractional grace period', { terminationGracePeriod: Duration.millis(1500) },
    '[bad-input/c/p] provisioner.terminationGracePeriod (provisioner.termination_grace_period): got 1 second 500 millis; expected a whole number of seconds'),
], { title: 'Karpenter GPU NodePool bad inputs' });

// The example platform: copy this file into your cdk8s app and import from 'cdk8s-ai' instead of '../lib'.
import { App, Chart, YamlOutputType } from 'cdk8s';
import { ClusterProfile, KubernetesVersion } from '../lib';

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });

// What the target cluster is: Kubernetes 1.34 with DRA and the usual AI add-ons (the default, stated explicitly).
new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_34 });

new Chart(app, 'ai-platform', { namespace: 'ai-platform', disableResourceNameHashes: true });

app.synth();

"""The example platform of examples/main.ts, written in Python.

It must synthesize byte-identical YAML to the TypeScript example: translate each line of examples/main.ts, in the
same order, with the same construct ids and values (test/bindings/bindings.test.ts compares the outputs).
"""
import os

from cdk8s import App, Chart, YamlOutputType

from cdk8s_ai import ClusterProfile, KubernetesVersion


def synth(outdir: str) -> App:
    app = App(outdir=outdir, yaml_output_type=YamlOutputType.FILE_PER_CHART)

    # What the target cluster is: Kubernetes 1.34 with DRA and the usual AI add-ons (the default, stated explicitly).
    ClusterProfile(app, "Cluster", kubernetes_version=KubernetesVersion.V1_34)

    Chart(app, "ai-platform", namespace="ai-platform", disable_resource_name_hashes=True)

    app.synth()
    return app


if __name__ == "__main__":
    synth(os.environ.get("CDK8S_OUTDIR", "dist"))

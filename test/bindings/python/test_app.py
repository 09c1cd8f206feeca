"""Runs the Python example app through the generated binding (run by test/bindings/bindings.test.ts in a venv)."""
import os

import pytest
from cdk8s import App, Chart

from app import synth
from cdk8s_ai import ClusterProfile, KubernetesVersion


def test_synthesizes_one_manifest_per_chart_and_the_report():
    outdir = os.environ["CDK8S_OUTDIR"]
    app = synth(outdir)
    charts = [c.node.id for c in app.charts]
    assert charts, "the app declares no chart"
    # PlatformReport writes its files when app.synth() is called from Python too.
    report = ["platform-report.json", "platform-report.md"]
    assert sorted(os.listdir(outdir)) == sorted([f"{c}.k8s.yaml" for c in charts] + report)


def test_constructs_are_found_across_the_binding():
    app = App()
    declared = ClusterProfile(app, "Cluster", kubernetes_version=KubernetesVersion.V1_37)
    chart = Chart(app, "chart")
    found = ClusterProfile.of(chart)
    assert found.node.path == declared.node.path == "Cluster"
    assert found.kubernetes_version.minor == 37
    assert found.is_feature_enabled("DynamicResourceAllocation") is True


def test_bad_input_raises_the_synth_time_error():
    # A ValidationError thrown by the library reaches Python as a RuntimeError with the same message.
    # The message names the prop in both spellings, so a Python user recognises feature_gates (issue 17, class 6).
    with pytest.raises(RuntimeError, match=r"\[NoSuchGate\] featureGates\.NotAGate \(feature_gates\.NotAGate\): got true"):
        ClusterProfile(App(), "NoSuchGate", feature_gates={"NotAGate": True})

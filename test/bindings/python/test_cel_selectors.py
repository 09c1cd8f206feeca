"""CEL selectors are checked by the library bundled in the package (@marcbachmann/cel-js), from Python too."""
import pytest
from cdk8s import App, Chart

from cdk8s_ai import ClusterProfile, GpuRequest, InferenceService, ModelSource


def _service(selector: str) -> None:
    app = App()
    ClusterProfile(app, "Cluster")
    InferenceService(Chart(app, "chart"), "llm", model=ModelSource.hugging_face("org/model"),
                     gpus=GpuRequest.of(1, extra_selectors=[selector]))


def test_a_well_typed_selector_is_accepted():
    _service("has(device.attributes['gpu.nvidia.com'].architecture) && device.attributes['gpu.nvidia.com'].architecture == 'Hopper'")


def test_a_selector_of_the_wrong_type_raises():
    with pytest.raises(RuntimeError, match=r"gpus\.extraSelectors\[0\].*at 0: no such overload: kubernetes\.Quantity > int"):
        _service("device.capacity['gpu.nvidia.com'].memory > 5")

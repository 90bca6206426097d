"""The metrics registry: which metrics score which data set, as data."""

from ganforge.metrics.registry import CLASS_METRICS, default_samples, metrics_for, scoring_for


def test_each_data_sets_scoring_is_a_registry_entry():
    assert [m.name for m in metrics_for("stacked-mnist")] == ["stacked_modes"]
    assert [m.name for m in metrics_for("fashion-mnist")] == list(CLASS_METRICS)
    assert scoring_for("Stacked_MNIST").per_channel and not scoring_for("mnist").per_channel
    assert default_samples("stacked-mnist") == 26_000 and default_samples("mnist") == 10_000

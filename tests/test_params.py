"""Detection parameters are validated when built, one message per kind of error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from infoops.detect import DetectParams, TextParams, TraceParams
from infoops.errors import DetectionError, ParameterError


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"alpha": 0.0}, "alpha must be a number in (0, 1), got 0.0"),
    ({"resolution": 0}, "resolution must be a number > 0, got 0"),
    ({"resolution": -1.0}, "resolution must be a number > 0, got -1.0"),
    ({"min_network_size": 0}, "min_network_size must be a whole number >= 1, got 0"),
    ({"min_network_edges": -1}, "min_network_edges must be a whole number >= 0, got -1"),
    ({"min_network_edges": 2.5}, "min_network_edges must be a whole number >= 0, got 2.5"),
    ({"min_mean_degree": -0.5}, "min_mean_degree must be a number >= 0, got -0.5"),
    ({"evidence_per_pair": -1}, "evidence_per_pair must be a whole number >= 0, got -1"),
    ({"traces": {"co-url": TraceParams(min_weight=0)}}, "co-url.min_weight must be a whole number >= 1, got 0"),
    ({"traces": {"co-url": TraceParams(max_burst=-1)}}, "co-url.max_burst must be a whole number >= 0, got -1"),
    ({"traces": {"co-url": TraceParams(window=-1)}}, "co-url.window must be a number >= 0, got -1"),
    ({"traces": {"co-nothing": TraceParams()}}, "unknown trace 'co-nothing'; choose from co-retweet"),
    ({"text": TextParams(num_perm=48, bands=16)}, "num_perm must be a power of two in 1..1024, got 48"),
    ({"text": TextParams(num_perm=64, bands=24)}, "text.num_perm (64) must be a multiple of text.bands (24)"),
    ({"text": TextParams(threshold=1.5)}, "text.threshold must be a number in [0, 1], got 1.5"),
])
def test_bad_parameters_raise_one_typed_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError) as info:
        DetectParams(**kwargs)
    assert message in str(info.value)
    # the detection family (the CLI's exit code) and the standard library's ValueError
    assert isinstance(info.value, DetectionError) and isinstance(info.value, ValueError)


def test_overrides_are_validated_and_name_known_traces() -> None:
    params = DetectParams()
    with pytest.raises(ParameterError, match="unknown trace 'nope'"):
        params.with_overrides(windows={"nope": 1.0})
    with pytest.raises(ParameterError, match="unknown trace 'nope'"):
        params.with_overrides(only=["nope"])
    with pytest.raises(ParameterError, match=r"co-retweet\.min_weight must be a whole number >= 1"):
        params.with_overrides(min_weights={"co-retweet": 0})
    assert params.with_overrides(windows={"co-url": 10.0}).traces["co-url"].window == 10.0


def test_defaults_and_their_json_round_trip_are_valid() -> None:
    params = DetectParams()
    assert DetectParams.from_json(params.to_json()) == params


def test_importing_the_detect_package_stays_cheap() -> None:
    code = ("import sys, infoops.detect as d; "
            "assert 'infoops.detect.pipeline' not in sys.modules; "
            "assert d.detect.__module__ == 'infoops.detect.pipeline'; "
            "assert set(d.__all__) <= set(dir(d))")
    subprocess.run([sys.executable, "-c", code], check=True)

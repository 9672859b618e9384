"""What flagd and Unleash flags serve now: the rollout share, enabled state and targeting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rollbook.sources import flagd, unleash


def flagd_flag(tmp_path: Path, **flag) -> flagd.Feature:
    data = {"flags": {"f": {"state": "ENABLED", "variants": {"on": True, "off": False}, **flag}}}
    path = tmp_path / "x.flagd.json"
    path.write_text(json.dumps(data))
    [feature] = flagd.read(path, "x.flagd.json")
    return feature


@pytest.mark.parametrize(
    ("flag", "share"),
    [
        ({"defaultVariant": "off"}, 0.0),
        ({"defaultVariant": "on"}, 100.0),
        ({"defaultVariant": "off", "targeting": {"fractional": [["on", 25], ["off", 75]]}}, 25.0),
        # Relative weights, and a bucketing key before the buckets.
        ({"targeting": {"fractional": [{"var": "email"}, ["on", 1], ["off", 3]]}}, 25.0),
        # A bucket without a weight weighs 1.
        ({"targeting": {"fractional": [["on"], ["off"]]}}, 50.0),
        # Nested in a condition: the share where the rule applies.
        ({"targeting": {"if": [True, {"fractional": [["off", 90], ["on", 10]]}, "off"]}}, 10.0),
        # Targeting that selects an audience has no share.
        ({"targeting": {"if": [{"in": ["@acme", {"var": "email"}]}, "on", "off"]}}, None),
    ],
)
def test_flagd_rollout(tmp_path, flag, share):
    assert flagd_flag(tmp_path, **flag).rollout == share


def test_flagd_on_variant_by_value_when_not_named(tmp_path):
    data = {
        "flags": {
            "f": {
                "state": "ENABLED",
                "variants": {"yes": True, "no": False},
                "defaultVariant": "no",
                "targeting": {"fractional": [["yes", 30], ["no", 70]]},
            }
        }
    }
    path = tmp_path / "x.flagd.json"
    path.write_text(json.dumps(data))
    [feature] = flagd.read(path, "x.flagd.json")
    assert (feature.rollout, feature.on_variant) == (30.0, None)  # on_variant unchanged


def test_flagd_state_and_targeting(tmp_path):
    feature = flagd_flag(tmp_path, state="DISABLED", targeting={"b": 1, "a": [2]})
    assert feature.enabled is False
    assert feature.targeting == '{"a":[2],"b":1}'


def unleash_toggle(tmp_path: Path, toggle: dict, **extra) -> unleash.Feature:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"features": [{"name": "t", **toggle}], **extra}))
    [feature] = unleash.read(path, "export.json")
    return feature


@pytest.mark.parametrize(
    ("toggle", "share"),
    [
        ({"enabled": False, "strategies": [{"name": "default"}]}, 0.0),
        ({"enabled": True, "strategies": [{"name": "default"}]}, 100.0),
        ({"enabled": True, "strategies": []}, 100.0),
        (
            {
                "enabled": True,
                "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "35"}}],
            },
            35.0,
        ),
        (
            {
                "enabled": True,
                "strategies": [
                    {"name": "gradualRolloutUserId", "parameters": {"percentage": 20}},
                    {"name": "flexibleRollout", "parameters": {"rollout": "5"}},
                ],
            },
            20.0,
        ),
        # Constraints select an audience: no share.
        (
            {
                "enabled": True,
                "strategies": [
                    {
                        "name": "flexibleRollout",
                        "parameters": {"rollout": "50"},
                        "constraints": [{"contextName": "region"}],
                    }
                ],
            },
            None,
        ),
        (
            {
                "enabled": True,
                "strategies": [{"name": "userWithId", "parameters": {"userIds": "1,2"}}],
            },
            None,
        ),
        (
            {
                "enabled": True,
                "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "lots"}}],
            },
            None,
        ),
    ],
)
def test_unleash_legacy_rollout(tmp_path, toggle, share):
    assert unleash_toggle(tmp_path, toggle).rollout == share


def test_unleash_v5_reads_production(tmp_path):
    feature = unleash_toggle(
        tmp_path,
        {"type": "release"},
        featureStrategies=[
            {"featureName": "t", "environment": "development", "name": "default"},
            {
                "featureName": "t",
                "environment": "production",
                "name": "flexibleRollout",
                "parameters": {"rollout": "15"},
            },
        ],
        featureEnvironments=[
            {"featureName": "t", "environment": "development", "enabled": True},
            {"featureName": "t", "environment": "production", "enabled": True},
        ],
    )
    assert (feature.rollout, feature.enabled) == (15.0, True)

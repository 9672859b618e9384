"""The YAML reader: YAML 1.2 scalars, positions, and limits against hostile input."""

from __future__ import annotations

import pytest

from rollbook.load.yaml_reader import YamlError, read_yaml_bytes, read_yaml_text


def read(text: str) -> object:
    return read_yaml_text(text, "t.yaml").data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: no", "no"),
        ("v: off", "off"),
        ("v: On", "On"),
        ("v: yes", "yes"),
        ("v: 2026-01-10", "2026-01-10"),
        ("v: 1:30", "1:30"),
        ("v: 012", 12),
        ("v: 0x1F", 31),
        ("v: 1.5", 1.5),
        ("v: true", True),
        ("v: FALSE", False),
        ("v: ~", None),
        ("v:", None),
        ("v: '42'", "42"),
        ("v: !!str 42", "42"),
        ("v: !!int '7'", 7),
    ],
)
def test_scalars_follow_yaml_1_2(text, expected):
    value = read(text)["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_words_keep_their_boolean_meaning_for_boolean_fields():
    from rollbook.model.runbook import Step

    assert Step.model_validate(read("do: x\nengineer: Yes\n")).engineer is True
    assert Step.model_validate(read("do: x\nirreversible: off\n")).irreversible is False
    assert Step.model_validate(read("do: no\n")).do == "no"


def test_keys_stay_text():
    # YAML 1.1 would turn the key `off` into the boolean False, losing the flag's off value.
    assert read("off: false\non: true\n") == {"off": False, "on": True}


def test_positions_of_keys_and_values():
    doc = read_yaml_text("a:\n  b:\n    - x\n    - y: 1\n", "t.yaml")
    assert str(doc.locate(("a", "b", 1, "y"))) == "t.yaml:4:10"
    assert str(doc.locate(("a", "b", 1, "y"), key=True)) == "t.yaml:4:7"
    assert str(doc.locate(("a", "b", 0))) == "t.yaml:3:7"
    # A path that is not in the document points at its nearest ancestor.
    assert str(doc.locate(("a", "b", 1, "missing"))) == "t.yaml:4:7"


def test_aliases_expand_within_limits():
    assert read("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_utf8_bom_is_accepted():
    assert read_yaml_bytes("\ufeffid: café\n".encode(), "t.yaml").data == {"id": "café"}


def test_duplicate_keys_in_nested_mappings_are_all_reported():
    with pytest.raises(YamlError) as info:
        read("a:\n  x: 1\n  x: 2\nb: 1\nb: 2\n")
    assert [str(p.location) for p in info.value.problems] == ["t.yaml:3:3", "t.yaml:5:1"]


def test_complex_keys_are_refused():
    with pytest.raises(YamlError) as info:
        read("? [a, b]\n: c\n")
    assert "key must be plain text" in info.value.problems[0].message


def test_uses_libyaml_when_pyyaml_has_it():
    # The pure-Python parser is about ten times slower on a large corpus.
    import yaml

    from rollbook.load import yaml_reader

    assert yaml.__with_libyaml__ == yaml_reader.WITH_LIBYAML

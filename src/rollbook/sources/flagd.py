"""flagd flag definitions: ``*.flagd.json|yaml|yml`` and ``flagd.json|yaml|yml``.

The schema (https://flagd.dev/schema/v0/flags.json) gives ``flags`` as a map from flag key to
``{state, variants, defaultVariant, targeting, metadata}``; the import form may give a list of
objects that each carry a ``key``. Real files add fields the schema does not define
(``description`` in the OpenTelemetry demo, top-level ``$evaluators`` and ``metadata``), so
only ``flags`` is read and everything else is left alone. A flag whose ``state`` is
``DISABLED`` is still a feature: it exists, and switching it on needs a runbook too.

Each flag's ``variants`` are the values it can take (a runbook's ``off`` must be one of them,
by value or by variant name), ``defaultVariant`` the one served when no targeting rule matches,
and a variant named ``on`` (or ``enabled``) is the one that turns the feature on.

Passing example (one feature, ``checkout.one_click``, at line 3)::

    {
      "flags": {
        "checkout.one_click": {"state": "DISABLED", "variants": {"on": true, "off": false},
                               "defaultVariant": "off"}
      }
    }
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.sources.documents import PositionedDocument, kind_name, read_document
from rollbook.sources.feature import (
    Feature,
    SourceError,
    Variant,
    on_variant_of,
    value_type_of,
)

if TYPE_CHECKING:
    from rollbook.sources.spec import SourceSpec

SOURCE = "flagd"
DEFAULT_PATHS = (
    "**/*.flagd.json",
    "**/*.flagd.yaml",
    "**/*.flagd.yml",
    "**/flagd.json",
    "**/flagd.yaml",
    "**/flagd.yml",
)

EXAMPLE_PATH = DEFAULT_PATHS[0]
OPTIONS: tuple[str, ...] = ()
RESPECTS_GITIGNORE = False

_SHAPE_HINT = (
    'a flagd file looks like {"flags": {"my-flag": {"state": "ENABLED", "variants": {...}, '
    '"defaultVariant": "..."}}}; is this file in the right source?'
)


def read(file: Path, name: str) -> list[Feature]:
    """The flags defined in the flagd file ``file`` (shown as ``name``)."""
    return features_from(read_document(file, name))


def features_from(doc: PositionedDocument) -> list[Feature]:
    """The flags of an already-parsed flagd document."""
    data = doc.data
    if not isinstance(data, dict) or "flags" not in data:
        found = kind_name(data) if not isinstance(data, dict) else "an object without 'flags'"
        raise SourceError(
            f"expected a flagd flag definition (an object with 'flags'), found {found}",
            doc.locate(()),
            _SHAPE_HINT,
        )
    flags = data["flags"]
    if isinstance(flags, dict):
        return [_map_entry(doc, key, flag) for key, flag in flags.items()]
    if isinstance(flags, list):
        return [_list_entry(doc, index, flag) for index, flag in enumerate(flags)]
    raise SourceError(
        f"'flags' must be an object mapping flag keys to flags (or a list of flags with a "
        f"'key'), found {kind_name(flags)}",
        doc.locate(("flags",)),
        _SHAPE_HINT,
    )


def _map_entry(doc: PositionedDocument, key: str, flag: object) -> Feature:
    if not isinstance(flag, dict):
        raise SourceError(
            f"flag '{key}' must be an object with state, variants and defaultVariant, "
            f"found {kind_name(flag)}",
            doc.locate(("flags", key)),
            _SHAPE_HINT,
        )
    return Feature(
        key=str(key),
        location=doc.locate(("flags", key), key=True),
        source=SOURCE,
        description=_description(flag),
        **_declared(doc, ("flags", key), flag),
    )


def _list_entry(doc: PositionedDocument, index: int, flag: object) -> Feature:
    key = flag.get("key") if isinstance(flag, dict) else None
    if not isinstance(key, str) or not key:
        raise SourceError(
            f"flags[{index}] must be an object with a 'key' (text) when 'flags' is a list",
            doc.locate(("flags", index)),
            'give each flag its key, e.g. {"key": "my-flag", "state": "ENABLED", ...}',
        )
    return Feature(
        key=key,
        location=doc.locate(("flags", index, "key")),
        source=SOURCE,
        description=_description(flag),
        **_declared(doc, ("flags", index), flag),
    )


def _declared(doc: PositionedDocument, path: tuple, flag: dict) -> dict:
    """What the flag declares about its values: variants, default variant, the "on" variant.

    A malformed ``variants`` (not an object) declares nothing rather than failing the read:
    flagd itself reports it, and the runbook checks then simply have nothing to compare with.
    """
    raw = flag.get("variants")
    if not isinstance(raw, dict) or not raw:
        return {"system": SOURCE}
    variants = tuple(Variant(str(name), value) for name, value in raw.items())
    default = flag.get("defaultVariant")
    default = default if isinstance(default, str) else None
    on_variant = on_variant_of(variants)
    return {
        "system": SOURCE,
        "variants": variants,
        "default_variant": default,
        "on_variant": on_variant,
        "value_type": value_type_of([v.value for v in variants]),
        "values_location": doc.locate((*path, "variants")),
        **_served(doc, path, flag, variants, on_variant, default),
    }


def _served(
    doc: PositionedDocument,
    path: tuple,
    flag: dict,
    variants: tuple[Variant, ...],
    on_variant: str | None,
    default: str | None,
) -> dict:
    """What the flag serves now: enabled, targeting (canonical JSON) and the rollout.

    The rollout is the share of the "on" variant (named on/enabled, else the one variant
    whose value is true) in the first ``fractional`` rule of the targeting, by weight; with
    no targeting, 100 when the default variant is the "on" one and 0 otherwise. Other
    targeting (by e-mail, by region) selects an audience, not a share: no rollout then.
    """
    state = flag.get("state")
    enabled = None if not isinstance(state, str) else state.upper() != "DISABLED"
    targeting = flag.get("targeting")
    has_targeting = targeting not in (None, {}, [])
    canonical = (
        json.dumps(targeting, sort_keys=True, separators=(",", ":")) if has_targeting else ""
    )
    on = on_variant
    if on is None:
        true = [v.name for v in variants if v.value is True]
        on = true[0] if len(true) == 1 else None
    rollout: float | None = None
    where = doc.locate((*path, "defaultVariant"))
    if on is not None:
        buckets = _fractional(targeting) if has_targeting else None
        if buckets is not None:
            total = sum(weight for _, weight in buckets)
            share = sum(weight for name, weight in buckets if name == on)
            rollout = round(100 * share / total, 2) if total > 0 else None
            where = doc.locate((*path, "targeting"))
        elif not has_targeting and default is not None:
            rollout = 100.0 if default == on else 0.0
    return {
        "enabled": enabled,
        "targeting": canonical,
        "rollout": rollout,
        "rollout_location": where,
    }


def _fractional(logic: object) -> list[tuple[str, float]] | None:
    """The buckets ``[(variant, weight)]`` of the first ``fractional`` rule, depth first.

    A bucket is ``[variant, weight]``; a bucket without a weight weighs 1 (flagd's rule); a
    first argument that is not a bucket is the bucketing key, skipped.
    """
    if isinstance(logic, dict):
        for op, args in logic.items():
            if op == "fractional" and isinstance(args, list):
                buckets = []
                for arg in args:
                    if not isinstance(arg, list) or not arg or not isinstance(arg[0], str):
                        continue
                    weight = arg[1] if len(arg) > 1 else 1
                    if isinstance(weight, bool) or not isinstance(weight, int | float):
                        return None
                    buckets.append((arg[0], float(weight)))
                return buckets or None
            found = _fractional(args)
            if found is not None:
                return found
    elif isinstance(logic, list):
        for item in logic:
            found = _fractional(item)
            if found is not None:
                return found
    return None


def _description(flag: dict) -> str:
    # flagd has no description field; projects put one either beside the flag's fields (the
    # OpenTelemetry demo) or in its metadata.
    text = flag.get("description")
    metadata = flag.get("metadata")
    if not isinstance(text, str) and isinstance(metadata, dict):
        text = metadata.get("description")
    return text if isinstance(text, str) else ""


def read_files(spec: SourceSpec, files: Iterable[tuple[Path, str]]) -> Iterator[Feature]:
    """The features of each of ``files`` (see :class:`rollbook.sources.kinds.SourceKind`)."""
    for file, name in files:
        yield from read(file, name)

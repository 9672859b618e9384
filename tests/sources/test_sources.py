"""Feature sources: the keys a user's flag files and code define, and exactly where."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from rollbook.sources import (
    Feature,
    SourceError,
    SourceSpec,
    code,
    collect_features,
    parse_source_spec,
)
from tests.bounded import finishes

REPO_ROOT = Path(__file__).resolve().parents[2]
# Real flag files from other projects, copied into the repository (tests/fixtures/README.md).
FLAG_SOURCES = REPO_ROOT / "tests" / "fixtures" / "flag-sources"
DATA = Path(__file__).parent / "data"


def keys(features: list[Feature]) -> list[str]:
    return [f.key for f in features]


def where(feature: Feature) -> tuple[str, int, int]:
    loc = feature.location
    return (loc.path, loc.line, loc.column)


def by_key(features: list[Feature]) -> dict[str, Feature]:
    return {f.key: f for f in features}


# --- real files from other projects (SOURCES.md lists the keys a reader must find) ----------

REAL_FILES = [
    (
        "flagd",
        "flagd/otel-demo.flagd.json",
        "adFailure, adHighCpu, adManualGc, cartFailure, emailMemoryLeak, failedReadinessProbe, "
        "imageSlowLoad, intlShippingSlowdown, kafkaQueueProblems, loadGeneratorBrowserVUs, "
        "loadGeneratorTraffic, loadGeneratorVUs, paymentFailure, paymentUnreachable, "
        "productCatalogFailure, recommendationCacheFailure",
    ),
    (
        "flagd",
        "flagd/example.flagdimport.map.json",
        "fibAlgo, headerColor, isColorYellow, myBoolFlag, myFloatFlag, myIntFlag, myObjectFlag, "
        "myStringFlag",
    ),
    ("flagd", "flagd/with-metadata.json", "headerColor"),
    (
        "openfeature",
        "openfeature/cli-flag-manifest.flags.json",
        "enableBeta, greeting, typedObject, untypedObject",
    ),
    ("unleash", "unleash/import-data.json", "first_feature"),
    (
        "unleash",
        "unleash/legacy-state-import.json",
        "featureX, featureA, featureArchivedX, feature.with.variants",
    ),
]


@pytest.mark.parametrize(
    ("kind", "path", "expected"), REAL_FILES, ids=[p for _, p, _ in REAL_FILES]
)
def test_real_files_yield_exactly_the_documented_keys(kind: str, path: str, expected: str) -> None:
    features = collect_features([SourceSpec(kind, (path,))], FLAG_SOURCES)
    assert sorted(keys(features)) == sorted(expected.split(", "))
    assert len(features) == len(set(keys(features)))  # a key inside a value is not a flag
    assert {f.location.path for f in features} == {path}


def test_real_files_point_at_the_key_itself() -> None:
    specs = [
        SourceSpec("flagd", ("flagd/*.json",)),
        SourceSpec("openfeature", ("openfeature/*.json",)),
        SourceSpec("unleash", ("unleash/*.json",)),
    ]
    features = collect_features(specs, FLAG_SOURCES)
    found = {(f.location.path, f.key): f for f in features}
    # Each position was checked by hand in the file: the column is the key's opening quote.
    otel = "flagd/otel-demo.flagd.json"
    assert where(found[otel, "adFailure"]) == (otel, 4, 5)
    assert where(found[otel, "recommendationCacheFailure"]) == (otel, 173, 5)
    fractional = "flagd/example.flagdimport.map.json"
    assert where(found[fractional, "headerColor"]) == (fractional, 89, 5)
    manifest = "openfeature/cli-flag-manifest.flags.json"
    assert where(found[manifest, "typedObject"]) == (manifest, 19, 5)
    v5 = "unleash/import-data.json"  # "name" is the second property on its line
    assert where(found[v5, "first_feature"]) == (v5, 3, 41)
    legacy = "unleash/legacy-state-import.json"
    assert where(found[legacy, "feature.with.variants"]) == (legacy, 61, 15)
    assert str(found[otel, "adFailure"].location) == "flagd/otel-demo.flagd.json:4:5"


def test_real_files_carry_source_kind_and_description() -> None:
    otel = collect_features([SourceSpec("flagd", ("flagd/otel-demo.flagd.json",))], FLAG_SOURCES)
    assert {f.source for f in otel} == {"flagd"}
    assert by_key(otel)["adFailure"].description == "Fail ad service"
    manifest = collect_features([SourceSpec("openfeature", ("openfeature/*.json",))], FLAG_SOURCES)
    assert {f.source for f in manifest} == {"openfeature-manifest"}
    assert by_key(manifest)["greeting"].description == "A string flag."
    legacy = collect_features([SourceSpec("unleash", ("unleash/legacy*.json",))], FLAG_SOURCES)
    assert by_key(legacy)["featureA"].description == "soon to be the #1 feature"
    assert all(f.source == "unleash" and f.deployable for f in legacy)


def test_flagd_flags_carry_their_variants_default_and_on_variant() -> None:
    otel = by_key(
        collect_features([SourceSpec("flagd", ("flagd/otel-demo.flagd.json",))], FLAG_SOURCES)
    )
    ad = otel["adFailure"]
    assert ad.system == "flagd"
    assert [(v.name, v.value) for v in ad.variants] == [("off", False), ("on", True)]
    assert (ad.default_variant, ad.on_variant, ad.value_type) == ("off", "on", "boolean")
    # The variants object is where the values are declared (the key "variants", line 8).
    assert str(ad.values_location) == "flagd/otel-demo.flagd.json:8:19"
    cart = otel["cartFailure"]
    assert ("off", 0) in [(v.name, v.value) for v in cart.variants]
    assert (cart.on_variant, cart.value_type) == (None, "float")
    colour = by_key(
        collect_features([SourceSpec("flagd", ("flagd/with-metadata.json",))], FLAG_SOURCES)
    )["headerColor"]
    assert [v.name for v in colour.variants] == ["red", "blue", "green", "yellow"]
    assert (colour.default_variant, colour.on_variant, colour.value_type) == (
        "red",
        None,
        "string",
    )
    objects = by_key(
        collect_features(
            [SourceSpec("flagd", ("flagd/example.flagdimport.map.json",))], FLAG_SOURCES
        )
    )
    assert objects["myObjectFlag"].value_type == "object"
    assert objects["myIntFlag"].value_type == "integer"
    # The YAML import form: `on` and `off` are variant names (YAML 1.2), not booleans.
    listed = collect_features([SourceSpec("flagd", ("import-list-flags.yaml",))], DATA)
    assert [(v.name, v.value) for v in listed[0].variants] == [("on", True), ("off", False)]
    assert str(listed[0].values_location) == "import-list-flags.yaml:5:15"


def test_openfeature_flags_carry_type_and_default() -> None:
    manifest = by_key(
        collect_features([SourceSpec("openfeature", ("openfeature/*.json",))], FLAG_SOURCES)
    )
    beta = manifest["enableBeta"]
    assert (beta.system, beta.value_type, beta.default_value) == ("openfeature", "boolean", False)
    assert beta.variants == ()
    assert (manifest["greeting"].value_type, manifest["greeting"].default_value) == (
        "string",
        "Hello!",
    )
    assert manifest["typedObject"].default_value == {"color": "#000"}


def test_unleash_toggles_are_on_or_off_and_kill_switches_inverted(tmp_path: Path) -> None:
    (tmp_path / "export.json").write_text(
        json.dumps(
            {
                "features": [
                    {"name": "a", "type": "release"},
                    {"name": "b", "type": "kill-switch"},
                    {"name": "c"},
                ]
            }
        ),
        encoding="utf-8",
    )
    found = by_key(collect_features([SourceSpec("unleash", ("export.json",))], tmp_path))
    assert [(v.name, v.value) for v in found["a"].variants] == [("on", True), ("off", False)]
    assert [found[k].on_variant for k in "abc"] == ["on", "off", "on"]
    real = collect_features([SourceSpec("unleash", ("unleash/import-data.json",))], FLAG_SOURCES)
    assert [(f.key, f.system, f.on_variant) for f in real] == [("first_feature", "unleash", "on")]


def test_lists_and_code_declare_keys_only() -> None:
    features = collect_features([SourceSpec("list", ("features.txt",))], DATA)
    assert all(
        f.system is None and f.variants == () and not f.declares_values and not f.keyed
        for f in features
    )


def test_flagd_default_paths_find_flagd_files_in_a_repo(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    shutil.copy(FLAG_SOURCES / "flagd/otel-demo.flagd.json", tmp_path / "deploy")
    shutil.copy(FLAG_SOURCES / "flagd/with-metadata.json", tmp_path)  # not a flagd file name
    (tmp_path / "node_modules/pkg").mkdir(parents=True)
    shutil.copy(FLAG_SOURCES / "flagd/with-metadata.json", tmp_path / "node_modules/pkg/flagd.json")
    features = collect_features([SourceSpec("flagd")], tmp_path)
    assert len(features) == 16
    assert {f.location.path for f in features} == {"deploy/otel-demo.flagd.json"}


# --- JSON and YAML positions ---------------------------------------------------------------


def test_json_key_position_ignores_the_same_text_in_values_and_deeper_objects() -> None:
    features = collect_features([SourceSpec("flagd", ("tricky-flags.json",))], DATA)
    assert keys(features) == ["alpha", "beta"]
    alpha, beta = features
    assert where(alpha) == ("tricky-flags.json", 6, 5)
    assert alpha.description == "Alpha feature"
    # Written as "be\u0074a": the key is what JSON decodes, the place is where it is written.
    assert where(beta) == ("tricky-flags.json", 8, 5)
    assert beta.deployable  # state DISABLED: still a feature that can be switched on


def test_flagd_yaml_import_list_form() -> None:
    features = collect_features([SourceSpec("flagd", ("import-list-flags.yaml",))], DATA)
    assert [(f.key, *where(f)) for f in features] == [
        ("checkout.one_click", "import-list-flags.yaml", 3, 10),
        ("search.v2", "import-list-flags.yaml", 8, 10),
    ]


def test_flagd_json_list_form(tmp_path: Path) -> None:
    flags = {"flags": [{"state": "ENABLED", "key": "a"}, {"key": "b", "state": "DISABLED"}]}
    (tmp_path / "flagd.json").write_text(json.dumps(flags, indent=2))
    features = collect_features([SourceSpec("flagd")], tmp_path)
    assert [(f.key, *where(f)) for f in features] == [
        ("a", "flagd.json", 5, 14),
        ("b", "flagd.json", 8, 14),
    ]


def test_unleash_archived_toggles_are_known_but_not_deployable() -> None:
    features = collect_features([SourceSpec("unleash", ("archived.unleash.json",))], DATA)
    assert [(f.key, f.deployable) for f in features] == [
        ("live.toggle", True),
        ("old.toggle", False),
        ("older.toggle", False),
    ]
    assert where(features[0]) == ("archived.unleash.json", 4, 14)
    assert features[0].description == "Still in use"


# --- plain lists ---------------------------------------------------------------------------


def test_text_list_skips_blank_lines_and_comments() -> None:
    features = collect_features([SourceSpec("list", ("features.txt",))], DATA)
    assert [(f.key, *where(f)) for f in features] == [
        ("checkout.one_click", "features.txt", 3, 1),
        ("search.v2", "features.txt", 4, 3),
        ("billing#2", "features.txt", 5, 1),  # '#' inside an id does not start a comment
    ]
    assert {f.source for f in features} == {"list"}


def test_yaml_and_json_lists() -> None:
    features = collect_features([SourceSpec("list", ("features.yaml", "features.json"))], DATA)
    assert [(f.key, *where(f)) for f in features] == [
        ("checkout.one_click", "features.json", 1, 2),
        ("search.v2", "features.json", 2, 2),
        ("checkout.one_click", "features.yaml", 2, 3),
        ("search.v2", "features.yaml", 3, 3),
    ]


# --- code ----------------------------------------------------------------------------------

CODE_FILES = {
    ".gitignore": "generated/\nlegacy_flags.py\n",
    "app/views.py": (
        "from openfeature import api\n"
        "client = api.get_client()\n"
        'if client.get_boolean_value("checkout.one_click", False):\n'
        "    pass\n"
        "details = client.get_string_details(flag_key='banner.text', default_value='')\n"
        "dynamic = client.get_boolean_value(f'{prefix}.x', False)\n"
    ),
    "legacy_flags.py": 'client.get_boolean_value("ignored.by.gitignore", False)\n',
    "generated/flags.py": 'client.get_boolean_value("ignored.dir", False)\n',
    "node_modules/lib/index.js": "client.getBooleanValue('vendored', false)\n",
    "web/.gitignore": "*.min.js\n",
    "web/cart.min.js": "c.getBooleanValue('ignored.by.nested.gitignore',!1)\n",
    "web/cart.js": (
        "const client = OpenFeature.getClient();\n"
        "const on = await client.getBooleanValue('cart.express', false);\n"
        "const n = client.getNumberDetails(`cart.limit`, 3);\n"
    ),
    "web/Banner.tsx": (
        "const cfg = client.getObjectValue<Record<string, number>>(\n"
        '  "banner.config",\n'
        "  {},\n"
        ");\n"
        "const shown = useBooleanFlagValue('banner.shown', false);\n"
    ),
    "svc/main.go": (
        "package main\n"
        "\n"
        "func handler(w http.ResponseWriter, r *http.Request) {\n"
        '\tv, _ := client.BooleanValue(r.Context(), "svc.fast_path", false, evalCtx)\n'
        '\td, _ := client.IntValueDetails(ctx, "svc.pool_size", 4, evalCtx)\n'
        "}\n"
    ),
    "svc/Checkout.java": (
        "class Checkout {\n"
        "  boolean fast() {\n"
        '    return client.getBooleanValue("java.fast", false);\n'
        "  }\n"
        "}\n"
    ),
    "README.md": 'Call `get_boolean_value("not.code", False)` from Python.\n',
}


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_code_scan_finds_literal_keys_in_four_languages_and_skips_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, CODE_FILES)
    features = collect_features([SourceSpec("code")], tmp_path)
    # Files in path order, hits in text order; each column is the key's opening quote.
    assert [(f.key, *where(f)) for f in features] == [
        ("checkout.one_click", "app/views.py", 3, 29),
        ("banner.text", "app/views.py", 5, 46),
        ("java.fast", "svc/Checkout.java", 3, 35),
        ("svc.fast_path", "svc/main.go", 4, 43),
        ("svc.pool_size", "svc/main.go", 5, 38),
        ("banner.config", "web/Banner.tsx", 2, 3),
        ("banner.shown", "web/Banner.tsx", 5, 35),
        ("cart.express", "web/cart.js", 2, 41),
        ("cart.limit", "web/cart.js", 3, 35),
    ]
    assert {f.source for f in features} == {"code"}


def test_code_scan_languages_and_paths_narrow_the_scan(tmp_path: Path) -> None:
    write_tree(tmp_path, CODE_FILES)
    spec = parse_source_spec(
        {"kind": "code", "paths": ["**/*.py", "svc/*"], "languages": ["python", "go"]},
        "rollbook.toml:3",
    )
    features = collect_features([spec], tmp_path)
    assert sorted(keys(features)) == [
        "banner.text",
        "checkout.one_click",
        "svc.fast_path",
        "svc.pool_size",
    ]


def test_user_pattern_reports_the_start_of_the_key_group(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/flags.rb": "if Flags.on?(:legacy)\nend\n  if Flags.on?(:new_cart) then\n",
            "app/views.py": 'client.get_boolean_value("checkout.one_click", False)\n',
        },
    )
    spec = parse_source_spec(
        {"kind": "code", "patterns": [r"Flags\.on\?\(:(?P<key>\w+)\)"]}, "rollbook.toml:7"
    )
    features = collect_features([spec], tmp_path)
    assert [(f.key, *where(f)) for f in features] == [
        ("legacy", "app/flags.rb", 1, 15),
        ("new_cart", "app/flags.rb", 3, 17),
        ("checkout.one_click", "app/views.py", 1, 26),
    ]


# --- user patterns run with a time limit --------------------------------------------------------

# Patterns that take exponential time on the text beside them: overlapping alternatives under
# a repetition. Without a limit, any of them keeps a CI job busy for ever.
BACKTRACKING_PATTERNS = [
    (r"(?P<key>(a|aa)+)b", "a" * 60),
    (r"flag\((?P<key>(\w|\w\w)+)\)", "x = flag(" + "a" * 60 + "\n"),
    (r"(?P<key>(?:x|xx)+)y", "pre " + "x" * 60 + " post"),
    (r"^enabled: (?P<key>(\d|\d\d)+);", "ok: 1;\nenabled: " + "7" * 60),
]


def _scan_with_limit(spec: SourceSpec, root: Path) -> str:
    code.PATTERN_TIMEOUT = 0.2  # in the forked child only
    try:
        collect_features([spec], root)
    except SourceError as exc:
        return exc.render()
    return "no error"


@pytest.mark.parametrize(("pattern", "text"), BACKTRACKING_PATTERNS)
def test_user_pattern_that_backtracks_stops_with_an_error_naming_it(
    tmp_path: Path, pattern: str, text: str
) -> None:
    write_tree(tmp_path, {"src/a.py": "get_boolean_value('ok')\n", "src/slow.txt": text})
    spec = parse_source_spec(
        {"kind": "code", "paths": ["src/*"], "patterns": [r"never(?P<key>\w+)", pattern]},
        "rollbook.toml: sources[2]",
    )
    message = finishes(_scan_with_limit, spec, tmp_path)
    assert message.startswith(
        f"rollbook.toml: sources[2]: patterns[1] {pattern!r} did not finish on src/slow.txt "
        "within 0.2 seconds"
    )
    assert "hint: rewrite the pattern" in message


def test_compiled_re_pattern_from_python_also_runs_with_a_limit(tmp_path: Path) -> None:
    write_tree(tmp_path, {"slow.txt": "a" * 60})
    spec = SourceSpec("code", ("*.txt",), patterns=(re.compile(r"(?P<key>(a|aa)+)b"),))
    assert "patterns[0] '(?P<key>(a|aa)+)b' did not finish on slow.txt" in finishes(
        _scan_with_limit, spec, tmp_path
    )


def test_user_patterns_keep_python_syntax_and_flags(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.rb": "Flags.on?(:Legacy)\nflags.ON?(:new_cart)\n"})
    spec = SourceSpec(
        "code",
        ("*.rb",),
        patterns=(
            re.compile(r"flags\.on\?\(:(?P<key>\w+)\)", re.IGNORECASE),
            r"(?<=Flags\.on\?\(:)(?P<key>[A-Z]\w*)",
        ),
    )
    assert keys(collect_features([spec], tmp_path)) == ["Legacy", "new_cart"]


def _lint_in_process(root: Path) -> tuple[int, str]:
    """``rollbook lint`` run as the command line runs it: exit code and standard error."""
    import contextlib
    import io
    import os

    from rollbook.cli import main

    os.chdir(root)
    code.PATTERN_TIMEOUT = 0.2  # in the forked child only
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["lint"])
        except SystemExit as exc:
            return int(exc.code or 0), err.getvalue()
    return 0, err.getvalue()


def test_lint_exits_2_when_a_user_pattern_backtracks(tmp_path: Path) -> None:
    pattern = r"flag\((?P<key>(\w|\w\w)+)\)"
    write_tree(
        tmp_path,
        {
            # TOML literal strings keep backslashes as written.
            "rollbook.toml": f"[[sources]]\nkind = 'code'\npaths = ['web/*.js']\n"
            f"patterns = ['{pattern}']\n",
            "runbooks/x.yaml": "id: x\n",
            "web/bundle.min.js": "var a=flag(" + "b" * 80 + ";",
        },
    )
    exit_code, err = finishes(_lint_in_process, tmp_path)
    assert exit_code == 2
    assert err.startswith(
        f"error: rollbook.toml: sources[0]: patterns[0] {pattern!r} did not finish on "
        "web/bundle.min.js within 0.2 seconds"
    ), err


# --- errors: file:line:col, what is wrong, how to fix --------------------------------------


def error_for(tmp_path: Path, name: str, text: str, kind: str) -> SourceError:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        collect_features([SourceSpec(kind, (name,))], tmp_path)
    return info.value


def test_invalid_json_points_at_the_syntax_error(tmp_path: Path) -> None:
    err = error_for(tmp_path, "bad.flagd.json", '{\n  "flags": {\n    "a": {},\n  }\n}\n', "flagd")
    assert str(err).startswith("bad.flagd.json:4:3: invalid JSON")
    assert err.location is not None and (err.location.line, err.location.column) == (4, 3)
    assert "hint:" in str(err)


def test_invalid_yaml_points_at_the_syntax_error(tmp_path: Path) -> None:
    err = error_for(tmp_path, "bad.flagd.yaml", "flags:\n  a:\n\tstate: ENABLED\n", "flagd")
    assert str(err).startswith("bad.flagd.yaml:3:1:")


def test_duplicate_yaml_flag_key_is_an_error(tmp_path: Path) -> None:
    text = "flags:\n  a: {state: ENABLED}\n  a: {state: DISABLED}\n"
    err = error_for(tmp_path, "dup.flagd.yaml", text, "flagd")
    assert str(err).startswith("dup.flagd.yaml:3:3: duplicate key 'a'")


@pytest.mark.parametrize(
    ("kind", "text", "start", "says"),
    [
        ("flagd", '{"flag": {}}', "f.json:1:1:", "an object with 'flags'"),
        ("flagd", '{\n  "flags": "a"\n}', "f.json:2:12:", "found text"),
        ("flagd", '{"flags": {\n  "a": true}}', "f.json:2:8:", "flag 'a' must be an object"),
        ("flagd", '{"flags": [\n  {"name": "a"}]}', "f.json:2:3:", "flags[0]"),
        ("openfeature", "[]", "f.json:1:1:", "OpenFeature CLI manifest"),
        ("unleash", '{\n  "features": {"a": {}}\n}', "f.json:2:15:", "'features' list"),
        ("unleash", '{"features": [\n  {"type": "release"}]}', "f.json:2:3:", "'name'"),
        ("list", '{"a": 1}', "f.json:1:1:", "expected a list of feature ids"),
        ("list", '["a",\n 3]', "f.json:2:2:", "item 2 must be a feature id"),
    ],
)
def test_wrong_shape_says_what_was_expected(
    tmp_path: Path, kind: str, text: str, start: str, says: str
) -> None:
    err = error_for(tmp_path, "f.json", text, kind)
    assert str(err).startswith(start)
    assert says in str(err)


def test_text_list_with_two_ids_on_a_line(tmp_path: Path) -> None:
    err = error_for(tmp_path, "features.txt", "a\n  b c\n", "list")
    assert str(err).startswith("features.txt:2:3: 'b c' is not one feature id")


def test_not_utf8_points_at_the_byte(tmp_path: Path) -> None:
    (tmp_path / "flags.json").write_bytes(b'{"flags": {\n  "caf\xe9": {}}}')
    with pytest.raises(SourceError, match=r"flags\.json:2:7: not UTF-8"):
        collect_features([SourceSpec("openfeature")], tmp_path)


def test_missing_literal_path_names_the_config_entry(tmp_path: Path) -> None:
    spec = parse_source_spec({"kind": "unleash", "paths": ["export.json"]}, "rollbook.toml:12")
    with pytest.raises(SourceError, match=r"^rollbook\.toml:12: no file 'export\.json'"):
        collect_features([spec], tmp_path)
    # A glob may match nothing: a new repository has no flag files yet.
    assert collect_features([SourceSpec("flagd", ("flags/*.json",))], tmp_path) == []


@pytest.mark.parametrize(
    ("table", "says"),
    [
        (
            {"kind": "flagd", "pathz": ["a.json"]},
            "unknown key 'pathz' in source; did you mean 'paths'?",
        ),
        ({"kind": "flagdd"}, "unknown source kind 'flagdd'; did you mean 'flagd'?"),
        ({"paths": ["a.json"]}, "source has no 'kind'"),
        ({"kind": "code", "languages": ["pyhton"]}, "did you mean 'python'?"),
        ({"kind": "flagd", "patterns": ["(?P<key>x)"]}, "'patterns' applies only to kind"),
        ({"kind": "unleash"}, "a 'unleash' source needs paths"),
        ({"kind": "flagd", "paths": ["/etc/flagd.json"]}, "is absolute"),
        ({"kind": "flagd", "paths": ["../other/flagd.json"]}, "leaves the project root"),
        ({"kind": "flagd", "paths": 3}, "'paths' must be a list of text"),
        ({"kind": "code", "patterns": ["flag\\((?P<key>\\w+"]}, "patterns[0] is not a valid regex"),
        (
            {"kind": "code", "patterns": ["flag\\((\\w+)\\)"]},
            "patterns[0] has no named group 'key'",
        ),
    ],
)
def test_config_errors_name_the_entry_and_the_fix(table: dict, says: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_source_spec(table, "pyproject.toml:41")
    message = str(info.value)
    assert message.startswith("pyproject.toml:41: ")
    assert says in message
    assert "\n    hint: " in message

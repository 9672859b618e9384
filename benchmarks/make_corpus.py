"""Write a corpus of N valid, varied runbooks and matching flagd files, for benchmarks.

Usage::

    python benchmarks/make_corpus.py 10000 /tmp/corpus [--seed 1] [--flags-per-file 500]

Output (deterministic: the same N, seed and options give byte-identical files)::

    OUTDIR/rollbook.toml
    OUTDIR/runbooks/teams.yaml
    OUTDIR/runbooks/<feature-id>.yaml              N runbooks
    OUTDIR/runbooks/flags-<k>.flagd.json           every flag key the runbooks use

Only the standard library is used; YAML is written with format strings (every free text goes
through JSON string encoding, whose output is a valid YAML double-quoted scalar), so 10,000 files
take a couple of seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path

SCHEMA_LINE = "# yaml-language-server: $schema=runbook.schema.json\n"
RISKS = ("low", "medium", "high", "critical")
LEVELS = ("low", "medium", "high")
SIGNAL_KINDS = ("metric", "log", "alert", "dashboard", "trace")
TEST_KINDS = (
    "unit",
    "integration",
    "end-to-end",
    "load",
    "stress",
    "failure",
    "chaos",
    "manual",
)
TEAMS = (
    ("payments", "Payments"),
    ("storefront", "Storefront"),
    ("fulfilment", "Fulfilment"),
    ("platform", "Platform"),
    ("search", "Search and discovery"),
    ("accounts", "Customer accounts"),
)
FIRST = (
    "Amara",
    "Tomasz",
    "Joe",
    "Mei",
    "Dev",
    "Rosa",
    "Sam",
    "Ines",
    "Priya",
    "Kwame",
    "Lena",
    "Omar",
)
LAST = (
    "Okafor",
    "Nowak",
    "Lindqvist",
    "Chen",
    "Patel",
    "Almeida",
    "Oduya",
    "Garcia",
    "Nair",
    "Mensah",
    "Vogel",
    "Haddad",
)
NOUNS = (
    "basket",
    "checkout",
    "search",
    "slot",
    "voucher",
    "stock",
    "banner",
    "invoice",
    "refund",
    "address",
    "image",
    "price",
    "review",
    "wishlist",
    "receipt",
    "driver",
    "picker",
    "route",
    "coupon",
    "bundle",
    "email",
    "filter",
    "carousel",
    "theme",
)
ADJECTIVES = (
    "new",
    "faster",
    "smart",
    "shared",
    "nightly",
    "instant",
    "bulk",
    "express",
    "simple",
    "weekly",
    "mobile",
    "guest",
    "partial",
    "async",
)
TAGS = (
    "checkout",
    "payments",
    "search",
    "database",
    "email",
    "mobile",
    "batch-job",
    "performance",
    "accessibility",
    "delivery",
    "stock",
    "migration",
    "cdn",
    "loyalty",
)
WORDS = (
    "the",
    "customer",
    "order",
    "page",
    "shows",
    "slot",
    "payment",
    "van",
    "stock",
    "service",
    "flag",
    "error",
    "minute",
    "basket",
    "driver",
    "warehouse",
    "rate",
    "when",
    "switch",
    "off",
    "on",
    "call",
    "on-call",
    "team",
    "price",
    "new",
    "old",
    "email",
    "queue",
    "job",
    "night",
    "delivery",
    "search",
    "result",
    "phone",
    "screen",
)
METRICS = (
    "http_requests_total",
    "checkout_requests_total",
    "orders_created_total",
    "slot_bookings_total",
    "search_requests_total",
    "job_runs_total",
    "emails_sent_total",
    "cdn_requests_total",
)


def words(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(lo, hi)))


def sentence(rng: random.Random, lo: int = 4, hi: int = 14) -> str:
    text = words(rng, lo, hi)
    return text[0].upper() + text[1:] + "."


def para(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return encode_basestring(text)


def a_date(rng: random.Random) -> str:
    return (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(330))).isoformat()


def make_teams() -> tuple[str, list[tuple[str, list[str]]]]:
    lines = [
        "# yaml-language-server: $schema=teams.schema.json\n",
        "version: 1\nteams:\n",
    ]
    out = []
    n = 0
    for t, (team_id, name) in enumerate(TEAMS):
        lines.append(
            f"  - id: {team_id}\n    name: {q(name)}\n"
            f"    oncall_phone: +44 20 7946 0{t + 1:02d}0\n"
            f'    chat: "#{team_id}-oncall"\n'
            f"    chat_url: https://chat.example.com/shop/channels/{team_id}-oncall\n"
            "    people:\n"
        )
        people = []
        for _ in range(2):
            first, last = FIRST[n % len(FIRST)], LAST[n % len(LAST)]
            pid = f"{first}-{last}".lower()
            people.append(pid)
            lines.append(
                f"      - id: {pid}\n        name: {first} {last}\n"
                f"        phone: +44 113 496 0{n + 100:03d}\n"
                f'        chat: "@{first.lower()}"\n'
            )
            n += 1
        out.append((team_id, people))
    return "".join(lines), out


def make_runbook(
    rng: random.Random, index: int, teams: list[tuple[str, list[str]]]
) -> tuple[str, str, list[tuple[str, object, object]]]:
    """One runbook: ``(id, yaml text, [(flag key, off value, on value), ...])``."""
    adj, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
    fid = f"{adj}-{noun}-{index:05d}"
    team_id, people = rng.choice(teams)
    risk = rng.choice(RISKS)
    high = risk in ("high", "critical")
    deployable = high or rng.random() > 0.05
    out = [SCHEMA_LINE, f"id: {fid}\n", f"title: {q(f'{adj.title()} {noun} {index}')}\n"]
    out.append(f"summary: {q(para(rng, rng.randint(1, 6)))}\n")
    out.append(f"owner: {team_id}\nrisk: {risk}\n")
    if not deployable:
        out.append("deployable: false\n")
    if rng.random() < 0.8:
        tags = sorted(rng.sample(TAGS, rng.randint(1, 4)))
        out.append(f"tags: [{', '.join(tags)}]\n")

    if rng.random() < 0.7:
        out.append("contacts:\n")
        out.append(f"  - team: {team_id}\n    when: First call, any time of day\n")
        if rng.random() < 0.6:
            out.append(f"  - person: {rng.choice(people)}\n")
            out.append("    when: If the on-call does not answer within 10 minutes\n")

    flags: list[tuple[str, object, object]] = []
    n_flags = rng.randint(1, 6) if deployable else rng.randint(0, 2)
    if n_flags:
        out.append("flags:\n")
    for k in range(n_flags):
        key = f"{team_id}.{noun}_{adj}_{index:05d}_{k}"
        if rng.random() < 0.8:
            off, on = False, True
            off_text, on_text = "false", "true"
        else:
            off, on = "v1", "v2"
            off_text, on_text = "v1", "v2"
        flags.append((key, off, on))
        out.append(f"  - key: {key}\n    system: flagd\n    off: {off_text}\n")
        if rng.random() < 0.5:
            out.append(f"    on: {on_text}\n")
        out.append(
            f"    change: {q(f'Open the flag console, find {key}, set it to {off_text}.')}\n"
        )
        out.append(f"    link: https://flags.example.com/flags/{key}\n")
        if rng.random() < 0.3:
            out.append("    redeploy: no\n")
        if rng.random() < 0.5:
            out.append(f"    who: Anyone on the {team_id} rota\n")
        if rng.random() < 0.5:
            out.append(f"    when_unavailable: {q(sentence(rng))}\n")

    signals = []
    n_signals = rng.randint(1, 6)
    out.append("signals:\n")
    for k in range(n_signals):
        name = f"{rng.choice(NOUNS).title()} {rng.choice(('error rate', 'latency', 'volume'))} {k}"
        signals.append(name)
        metric = rng.choice(METRICS)
        kind = "alert" if (k == 0 and high) else rng.choice(SIGNAL_KINDS)
        out.append(f"  - name: {q(name)}\n    kind: {kind}\n")
        if kind == "metric" and rng.random() < 0.4:
            query = (
                "histogram_quantile(0.95, sum by (le) "
                f'(rate(http_request_duration_seconds_bucket{{app="{fid}"}}[5m])))'
            )
        else:
            query = f'sum(rate({metric}{{app="{fid}", status=~"5.."}}[5m]))'
        out.append(f"    query: {q(query)}\n")
        if rng.random() < 0.8:
            out.append(f"    healthy: below {rng.randint(1, 9)}%\n")
        out.append(
            f"    threshold: above {rng.randint(10, 50)}% for {rng.randint(2, 30)} minutes\n"
        )
        if kind == "alert" or rng.random() < 0.4:
            out.append(f"    alert: {noun.title()}{adj.title()}Alert{index}x{k}\n")
        out.append(f"    link: https://grafana.example.com/d/{fid}?viewPanel={k + 1}\n")
        if rng.random() < 0.3:
            out.append(f"    no_data: {q(sentence(rng))}\n")

    if rng.random() < 0.5:
        out.append("logs:\n")
        for k in range(rng.randint(1, 3)):
            log_query = '{app="' + fid + '"} |= "error"'
            out.append(
                f"  - name: {q(f'{noun.title()} service log {k}')}\n"
                f"    where: Grafana > Explore > Loki, app {fid}\n"
                f"    query: {q(log_query)}\n"
            )
            if rng.random() < 0.5:
                out.append(f"    look_for: {q(sentence(rng))}\n")

    if high or rng.random() < 0.6:
        out.append("risks:\n")
        for _ in range(rng.randint(1, 4)):
            picked = rng.sample(signals, rng.randint(1, min(2, len(signals))))
            out.append(
                f"  - what: {q(para(rng, rng.randint(1, 2)))}\n"
                f"    likelihood: {rng.choice(LEVELS)}\n    impact: {rng.choice(LEVELS)}\n"
                f"    signals: [{', '.join(q(s) for s in picked)}]\n"
            )
            if rng.random() < 0.5:
                out.append(f"    mitigation: {q(sentence(rng))}\n")

    if deployable and (high or rng.random() < 0.7):
        out.append("rollout:\n  stages:\n")
        n_stages = rng.randint(1, 6)
        percents = [*sorted(rng.sample(range(1, 100), n_stages - 1)), 100]
        if high:
            percents[0] = min(percents[0], 10)
        for k, pct in enumerate(percents):
            out.append(f"    - percent: {pct}\n")
            if k == 0 and rng.random() < 0.4:
                out.append("      name: Staff first\n      audience: staff accounts\n")
            if pct < 100:
                out.append(f"      min_duration: {rng.randint(1, 48)}{rng.choice('mhd')}\n")
                out.append(f"      gate: [{q(rng.choice(signals))}]\n")

    if deployable or rng.random() < 0.3:
        out.append("rollback:\n")
        out.append(f"  when:\n    - {q(sentence(rng))}\n")
        if flags:
            out.append(f"  kill_switch: {flags[0][0]}\n")
        irreversible_step = high and rng.random() < 0.2
        engineers = irreversible_step or not flags or rng.random() < 0.2
        out.append(f"  audience: {'engineers' if engineers else 'anyone'}\n  steps:\n")
        if flags:
            key = flags[0][0]
            out.append(
                f"    - do: {q(f'Open the flag console and set {key} to its off value.')}\n"
                f"      link: https://flags.example.com/flags/{key}\n"
                f"      expect: {q(sentence(rng))}\n"
                f"      if_not: Call the {team_id} on-call on +44 20 7946 0100.\n"
            )
        for k in range(rng.randint(0 if flags else 1, 5)):
            out.append(
                f"    - do: {q(sentence(rng, 5, 20))}\n"
                f"      command: kubectl -n {team_id} rollout restart deploy/{fid}\n"
                f"      expect: {q(sentence(rng))}\n      if_not: {q(sentence(rng))}\n"
            )
            if engineers:
                out.append("      engineer: true\n")
            if irreversible_step and k == 0:
                out.append(
                    "      irreversible: true\n"
                    f"      warning: {q(para(rng, 2))}\n"
                    f"      backup: {q(f'pg_dump to s3://backups/{fid}/ first (step before).')}\n"
                )
        out.append(f"  verify:\n    - {q(sentence(rng))}\n")
        out.append(f"  after: {q(sentence(rng))}\n")

    if high or rng.random() < 0.3:
        out.append("tests:\n")
        kinds = ["stress"] if high else []
        kinds += [rng.choice(TEST_KINDS) for _ in range(rng.randint(0, 2))]
        for kind in kinds or ["unit"]:
            out.append(f"  - kind: {kind}\n    what: {q(sentence(rng))}\n")
            if rng.random() < 0.6:
                out.append(f"    date: {a_date(rng)}\n")
    if high or rng.random() < 0.6:
        out.append(f"review:\n  last_reviewed: {a_date(rng)}\n  by: {q(rng.choice(FIRST))}\n")
    if high or rng.random() < 0.1:
        out.append(
            f"drills:\n  - date: {a_date(rng)}\n    result: {rng.choice(('pass', 'partial'))}\n"
            f"    by: {q(rng.choice(FIRST))}\n    duration: {rng.randint(2, 60)}m\n"
        )
    return fid, "".join(out), flags


def flag_file(chunk: list[tuple[str, object, object]]) -> str:
    flags = {}
    for key, off, on in chunk:
        if off is False:
            variants, default = {"on": True, "off": False}, "off"
        else:
            variants, default = {str(off): off, str(on): on}, str(off)
        flags[key] = {"state": "ENABLED", "variants": variants, "defaultVariant": default}
    doc = {"$schema": "https://flagd.dev/schema/v0/flags.json", "flags": flags}
    return json.dumps(doc, indent=1) + "\n"


CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"
site-name = "Benchmark corpus"

[[sources]]
kind = "flagd"
paths = ["runbooks/*.flagd.json"]
"""


def generate(n: int, outdir: Path, seed: int = 1, flags_per_file: int = 500) -> int:
    """Write the corpus; return the number of runbooks written."""
    rng = random.Random(seed)
    folder = outdir / "runbooks"
    folder.mkdir(parents=True, exist_ok=True)
    teams_text, teams = make_teams()
    (outdir / "rollbook.toml").write_text(CONFIG, encoding="utf-8")
    (folder / "teams.yaml").write_text(teams_text, encoding="utf-8")
    all_flags: list[tuple[str, object, object]] = []
    for i in range(n):
        fid, text, flags = make_runbook(rng, i, teams)
        (folder / f"{fid}.yaml").write_text(text, encoding="utf-8")
        all_flags.extend(flags)
    for k in range(0, len(all_flags), flags_per_file):
        chunk = all_flags[k : k + flags_per_file]
        path = folder / f"flags-{k // flags_per_file + 1}.flagd.json"
        path.write_text(flag_file(chunk), encoding="utf-8")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of runbooks")
    parser.add_argument("outdir", type=Path, help="folder to write into")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--flags-per-file", type=int, default=500, help="flags per flagd file (default 500)"
    )
    args = parser.parse_args(argv)
    if args.n < 0 or args.flags_per_file < 1:
        parser.error("n must be >= 0 and --flags-per-file >= 1")
    existing = args.outdir / "runbooks"
    if existing.is_dir() and any(existing.iterdir()):
        parser.error(f"{existing} is not empty; choose a new folder")
    generate(args.n, args.outdir, args.seed, args.flags_per_file)
    print(f"Wrote {args.n} runbooks to {args.outdir / 'runbooks'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

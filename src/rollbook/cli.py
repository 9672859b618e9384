"""The `rollbook` command: parses options, calls library functions, maps outcomes to exit codes.

Exit codes: 0 fine, 1 findings, 2 usage or configuration error, 3 internal error.

Everything the command prints goes through :func:`echo`, which escapes terminal control
sequences and invisible characters (:func:`rollbook.safe_text.for_terminal`): messages quote
runbooks, configuration and file names, any of which may be hostile. A new command gets that
by printing with :func:`echo`; so do click's own usage errors and log records.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import io
import logging
import os
import signal
import sys
import traceback
from pathlib import Path

import click

from rollbook import __version__
from rollbook.config import ConfigError, Project, load_project
from rollbook.report import FORMATS
from rollbook.safe_text import for_terminal

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``message`` as the terminal should show it: controls escaped, never acted on."""
    click.echo(for_terminal(str(message)), err=err, nl=nl)


class _EchoHandler(logging.Handler):
    """Log records (MkDocs' warnings, the preview server's) printed through :func:`echo`."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            echo(self.format(record), err=True)
        except Exception:
            self.handleError(record)


class CommandError(click.ClickException):
    """An error a command reports as ``error: MESSAGE`` on standard error before it exits."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        message = f"error: {self.format_message()}"
        if file is not None:
            file.write(message + "\n")
        else:
            echo(message, err=True)


class UsageError(CommandError):
    """A usage or configuration error: exit code 2 (click's own default would be 1)."""

    exit_code = EXIT_USAGE


class Failed(CommandError):
    """The command could not do its job (a site not built, a server stopped): exit code 1."""

    exit_code = EXIT_FINDINGS


def _usage_errors() -> tuple[type[Exception], ...]:
    """The library's errors of the user's making, which every command reports as exit 2.

    Imported when one is raised, not before: ``rollbook.site`` loads Jinja and more. Not
    imported at all when nothing imported it before: then none can have been raised (every
    command ends with an exception, click's ``Exit``, and importing Jinja for it cost `rollbook
    lint` a third of a second).
    """
    output = sys.modules.get("rollbook.site.output")
    if output is None:
        return (ConfigError,)
    return (ConfigError, output.OutputError)


class _Group(click.Group):
    """The `rollbook` group: maps the library's usage errors to exit 2, for every command.

    Every command runs inside :meth:`invoke`, both under :func:`main` and when click runs
    the group itself (``standalone_mode``), so no command handles :class:`ConfigError`.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # click's own exits (``ctx.exit``, usage errors) are not the library's: checked
            # first, so that every run ending with an exit code does not import the site.
            if isinstance(exc, click.exceptions.Exit | click.ClickException):
                raise
            if isinstance(exc, _usage_errors()):
                raise UsageError(str(exc)) from None
            raise


def _project(ctx: click.Context, start: Path | None = None) -> Project:
    return load_project(start, ctx.obj.get("config") if ctx.obj else None)


# Options and arguments several commands share, declared once (as mkdocs does).
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
overrides_option = click.option(
    "--overrides",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="MkDocs settings to merge in (default: mkdocs.overrides.yml at the "
    "project root, if there is one).",
)


def force_option(help: str):
    return click.option("--force", is_flag=True, help=help)


def markdown_option(help: str):
    return click.option("--markdown", is_flag=True, help=help)


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "--version", prog_name="rollbook")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file (default: nearest rollbook.toml, or pyproject.toml "
    "with [tool.rollbook]).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, verbose: bool) -> None:
    """Runbooks as code: every deployable feature gets a rollback anyone can follow.

    \b
    Start here:
      rollbook init              configure rollbook for this repository (reads its flags)
      rollbook new KEY           start a runbook for a feature, its flag filled in
      rollbook validate          check every runbook, with the line of each mistake
    """
    ctx.ensure_object(dict)
    ctx.obj["config"] = config
    ctx.obj["verbose"] = verbose


@cli.command()
@paths_argument
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Load and check runbooks; print every problem with its line and column.

    PATHS are runbook files or folders (default: the configured runbook folders).
    Exits 1 when any file has a problem.
    """
    from rollbook.commands.validate import summary
    from rollbook.commands.validate import validate as run

    report = run(_project(ctx, paths[0] if paths else None), list(paths) or None)
    for note in report.notes:
        echo(f"note: {for_terminal(note, lines=False)}", err=True)
    for problem in report.problems:
        echo(problem.render())
    echo(summary(report))
    ctx.exit(EXIT_FINDINGS if report.problems else EXIT_OK)


@cli.command()
@click.option("--teams", is_flag=True, help="The teams file's schema instead of the runbook's.")
@markdown_option("The format's reference as Markdown tables.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def schema(teams: bool, markdown: bool, output: Path | None) -> None:
    """Print the JSON Schema of the runbook format (for editors and other tools)."""
    from rollbook.atomic import write_text_atomic
    from rollbook.schema import format_reference, schema_text

    text = format_reference() if markdown else schema_text(teams)
    if output is None:
        echo(text, nl=False)
        return
    write_text_atomic(output, text)
    echo(f"Wrote {output}", err=True)


@cli.command()
@click.argument("feature_id")
@click.option("--owner", help="Id of the owning team (from the teams file).")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default: the first configured runbook folder).",
)
@force_option("Replace an existing runbook of that name.")
@click.pass_context
def new(
    ctx: click.Context, feature_id: str, owner: str | None, folder: Path | None, force: bool
) -> None:
    """Start a runbook for FEATURE_ID: a slug such as one-click-checkout, or a flag key.

    Given a flag key a configured source declares, the runbook's id is the key as a slug and
    its flag (key, system, off value) and kill switch are filled in. The owner defaults to the
    only team, or the team CODEOWNERS gives the flag's files to. The file's placeholders fail
    `rollbook lint` until they are filled in. Its first line points editors (VS Code's YAML
    extension and others) at the schema, so they complete and check fields as you type.
    """
    from rollbook.commands.scaffold import new_runbook

    project = _project(ctx)
    done = new_runbook(project, feature_id, owner, folder, force)
    for note in done.notes:
        echo(f"note: {note}")
    shown = project.display(done.written[-1])
    filled = f" with flag {done.key} filled in" if done.key else ""
    echo(
        f"Wrote {shown}{filled}. Fill in the {len(done.placeholders)} lines marked FILL IN "
        f"({', '.join(dict.fromkeys(done.placeholders))}), then run: rollbook lint"
    )


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--team", default="my-team", show_default=True, help="Id of your team.")
@force_option("Replace files that already exist.")
@click.option(
    "--ci",
    "ci",
    is_flag=False,
    flag_value="auto",
    type=click.Choice(["auto", "github", "gitlab"]),
    help="Only write the CI job that runs `rollbook lint` (platform detected from .github/ "
    "or .gitlab-ci.yml, or named); never overwrites.",
)
@click.option(
    "--pages",
    is_flag=True,
    help="With --ci: also write the job that publishes the site (GitHub Pages or GitLab Pages).",
)
def init(directory: Path, team: str, force: bool, ci: str | None, pages: bool) -> None:
    """Configure rollbook for the repository in DIRECTORY: its sources, a teams file.

    Reads the repository first: flagd files, OpenFeature manifests, Unleash exports and code
    calling OpenFeature become the configured sources, and it prints how many features they
    declare and how many lack a runbook. Only when it finds none does it write an example
    runbook and flag file. Adds site/ to .gitignore. Refuses to overwrite any existing file
    unless --force is given. With --ci, writes only the CI job instead (and with --pages, the
    job that publishes the site).
    """
    from rollbook.commands.ci import detect_platform, write_ci
    from rollbook.commands.scaffold import init_next_steps, init_report, init_repository

    if ci is not None or pages:
        done = write_ci(directory, None if ci in (None, "auto") else ci, pages=pages)
        for path in done.written:
            echo(f"wrote {path}")
        for path in done.kept:
            echo(f"kept {path}: it exists already; not overwriting it")
        echo(f"Next: {done.next_steps}")
        return
    directory.mkdir(parents=True, exist_ok=True)
    outcome = init_repository(directory, team=team, force=force)
    for path in outcome.written:
        echo(f"wrote {path}")
    if outcome.gitignore:
        echo(f"{outcome.gitignore} {directory / '.gitignore'}: the site's output folder, site/")
    for line in init_report(directory, outcome):
        echo(line)
    echo(init_next_steps(detect_platform(directory)))


@cli.command()
@paths_argument
@click.option(
    "--output-format",
    type=click.Choice(list(FORMATS)),
    help="Report printed to standard output (default: text; github when GITHUB_ACTIONS=true).",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=PATH",
    help="Also write a report to a file, e.g. sarif=rollbook.sarif (repeatable).",
)
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help="Rules to run (codes, prefixes or names; comma-separated or repeated); "
    "replaces `select` from the configuration.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULES",
    help="Rules to skip, in addition to `ignore` from the configuration.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails the run (default: `fail-on`, else error).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (report-only jobs).")
@click.option(
    "--no-inline-ignores",
    is_flag=True,
    help="Ignore `# rollbook: ignore[...]` comments (for audits).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check every file again: neither read nor write the lint cache (`cache-dir`).",
)
@click.option(
    "--since",
    metavar="REF",
    help="Lint only runbooks changed since the git REF, and coverage only of features "
    "added or changed since it.",
)
@click.option(
    "--write-baseline",
    "write_baseline",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[FILE]",
    help="Record every finding in the baseline file (FILE, or `baseline` from the "
    "configuration: .rollbook-baseline.json); later runs report only new findings.",
)
@click.option(
    "--no-baseline", is_flag=True, help="Report findings the baseline file records too (audits)."
)
@click.option(
    "--today",
    hidden=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="Pretend today is this date (tests; also $ROLLBOOK_TODAY).",
)
@click.pass_context
def lint(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str | None,
    reports: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    no_inline_ignores: bool,
    no_cache: bool,
    since: str | None,
    write_baseline: str | None,
    no_baseline: bool,
    today: datetime.datetime | None,
) -> None:
    """Check runbooks, and that every deployable feature has one (the CI gate).

    PATHS are runbook files or folders (default: the configured runbook folders; coverage
    of features is only checked then). Exit codes: 0 no finding at or above fail-on,
    1 findings, 2 usage or configuration error, 3 internal error.
    """
    from rollbook.commands.lint import run_lint
    from rollbook.diagnostics import Severity
    from rollbook.lint import LintOptions
    from rollbook.parallel import default_jobs

    def split(values: tuple[str, ...]) -> list[str]:
        return [v.strip() for value in values for v in value.split(",") if v.strip()]

    project = _project(ctx, paths[0] if paths else None)
    options = LintOptions(
        paths=list(paths) or None,
        select=split(select) or None,
        ignore=split(ignore),
        inline_ignores=not no_inline_ignores,
        since=since,
        today=today.date() if today else None,
        fail_on=Severity(fail_on) if fail_on else None,
        cache=not no_cache,
        jobs=default_jobs(),
    )
    if write_baseline is not None:
        from rollbook.commands.lint import write_baseline_run

        target = Path(write_baseline) if write_baseline else None
        done = write_baseline_run(project, options, target)
        shown = project.display(done.path)
        echo(
            f"wrote {shown}: {done.findings} finding{'s' if done.findings != 1 else ''} recorded"
            + (f", {done.dropped} fixed since the last baseline dropped" if done.dropped else "")
            + "; `rollbook lint` now reports only new findings."
        )
        if done.path.resolve() != (project.root / project.config.baseline).resolve():
            echo(f'note: set `baseline = "{shown}"` in the configuration so that lint reads it')
        return
    run = run_lint(
        project, options, output_format, list(reports), exit_zero, use_baseline=not no_baseline
    )
    echo(run.output, nl=False)
    for path in run.written:
        echo(f"wrote {path}", err=True)
    ctx.exit(run.exit_code)


@cli.command()
@click.argument("code", required=False)
@markdown_option("Every rule's documentation, as Markdown.")
def rule(code: str | None, markdown: bool) -> None:
    """Show the documentation of rule CODE (RB201 or vague-step), or list every rule."""
    from rollbook.commands.rule import find_rule, rule_text, rules_markdown, rules_table

    if markdown:
        echo(rules_markdown(), nl=False)
        return
    if code is None:
        echo(rules_table(), nl=False)
        return
    echo(rule_text(find_rule(code)), nl=False)


@cli.command()
@click.option(
    "--base",
    metavar="REF",
    help="Git ref to compare with, at its merge base with HEAD (default: the pull "
    "request's target branch in CI, else origin/HEAD, else HEAD).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="How to print the diff.",
)
@click.option(
    "--fail-on-weakened",
    is_flag=True,
    help="Exit 1 when a change weakens a rollback (a removed step, a dropped kill switch, ...).",
)
@click.option(
    "--post",
    type=click.Choice(["github", "gitlab"]),
    help="Also post the diff as one pull-request comment (or merge-request note), updated "
    "on each push, and write it to the job summary.",
)
@click.option(
    "--report-url",
    metavar="URL",
    help="Where the full report is (a CI artifact): linked when the comment is shortened.",
)
@click.option(
    "--today",
    hidden=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="Pretend today is this date (tests; also $ROLLBOOK_TODAY).",
)
@click.pass_context
def diff(
    ctx: click.Context,
    base: str | None,
    fmt: str,
    fail_on_weakened: bool,
    post: str | None,
    report_url: str | None,
    today: datetime.datetime | None,
) -> None:
    """Show what this change does to every rollback it touches, weakening first.

    Compares runbooks (matched by id, through renames) and feature sources (flagd, Unleash,
    flag keys in code) at the git ref --base with the working tree. Exit codes: 0, 1 with
    --fail-on-weakened when a change weakens a rollback, 2 for usage errors.
    """
    from rollbook.commands.diff import run_diff

    project = _project(ctx)
    run = run_diff(
        project,
        base,
        fmt,
        fail_on_weakened=fail_on_weakened,
        today=today.date() if today else None,
    )
    echo(run.output, nl=False)
    if post is not None:
        from rollbook.commands.diff import post_review

        for line in post_review(project, run.diff, post, report_url=report_url):
            echo(line, err=True)
    ctx.exit(run.exit_code)


@cli.command()
@click.argument("features", nargs=-1, required=True)
@click.option("--rollback", is_flag=True, help="Only the rollback card.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "text", "html"]),
    default="markdown",
    show_default=True,
    help="markdown: safe to post in a pull request or chat; text: the rollback card as "
    "`rollbook show` prints it; html: the site page's content.",
)
@click.pass_context
def render(ctx: click.Context, features: tuple[str, ...], rollback: bool, fmt: str) -> None:
    """Print the runbook (or its rollback card) of each FEATURE: an id, a title or a flag key."""
    from rollbook.commands.render import render_features

    echo(render_features(_project(ctx), list(features), rollback=rollback, fmt=fmt), nl=False)


@cli.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site into (replaced whole; only an empty folder or a "
    "previous rollbook site).",
)
@overrides_option
@click.option(
    "--keep-going",
    is_flag=True,
    help="Build even when runbook files have errors: the site lacks their pages, and its "
    "home, team, tag and problems pages say which are missing and why.",
)
@click.option(
    "--site-url",
    metavar="URL",
    help="Where the site will be served, e.g. https://org.github.io/repo/ (replaces "
    "`site-url` from the configuration; CI jobs pass the Pages address).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Render every page, ignoring and not filling the build cache (.rollbook-cache/).",
)
@click.pass_context
def build(
    ctx: click.Context,
    out: Path,
    overrides: Path | None,
    keep_going: bool,
    site_url: str | None,
    no_cache: bool,
) -> None:
    """Build the phone-first runbook site (MkDocs + Material; no mkdocs.yml needed).

    The site works offline after one visit and contacts no other host. A failed build
    leaves the previous site untouched. Exits 1, building nothing, when a runbook file or
    the teams file has errors (unless --keep-going) or the build fails (a broken link,
    unsafe output); 2 for configuration errors.
    """
    from rollbook.commands import build_messages as say
    from rollbook.commands.build import InvalidRunbooks
    from rollbook.commands.build import build as run
    from rollbook.site import SiteBuildError

    project = _project(ctx)
    if site_url is not None:
        from rollbook.commands.publish import with_site_url

        project = with_site_url(project, site_url)
    try:
        outcome = run(project, out, overrides=overrides, keep_going=keep_going, cache=not no_cache)
    except InvalidRunbooks as exc:
        raise Failed(say.not_built(exc, out)) from None
    except SiteBuildError as exc:
        raise Failed(f"the site was not built: {exc}") from None
    for note in say.notes(outcome):
        echo(note, err=True)
    echo(say.built(outcome, out))
    warning = say.kept_going(outcome, out)
    if warning is not None:
        echo(warning, err=True)


@cli.command()
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@overrides_option
@click.option("--no-livereload", is_flag=True, help="Do not rebuild when files change.")
@click.option(
    "--poll",
    is_flag=True,
    help="Look for changes by polling twice a second (for network or container-mounted "
    "folders, whose changes the system may not report).",
)
@click.pass_context
def serve(
    ctx: click.Context, port: int, overrides: Path | None, no_livereload: bool, poll: bool
) -> None:
    """Preview the site on http://127.0.0.1:PORT/, rebuilding when runbooks change.

    Rebuilds when a file the site is built from is saved: runbooks, the teams file, the
    configuration, templates, and the files feature sources and alert rules read. Runbook
    files with errors do not stop the preview: every page then carries a banner saying how
    many, and the problems page says which and why. A port in use is a usage error (exit 2).
    """
    from rollbook.commands.serve import serve as run
    from rollbook.site import SiteBuildError

    project = _project(ctx)
    try:
        run(
            project,
            port=port,
            overrides=overrides,
            livereload=not no_livereload,
            poll=poll,
            echo=echo,
        )
    except (SiteBuildError, RuntimeError) as exc:
        raise Failed(str(exc)) from None


@cli.command()
@click.argument("feature", required=False)
@click.option(
    "--say", "mode", flag_value="say", help="A telephone script to read aloud to someone."
)
@click.option("--sms", "mode", flag_value="sms", help="A text message of at most 3 segments.")
@click.option("--list", "list_features", is_flag=True, help="List every feature instead.")
@click.pass_context
def show(ctx: click.Context, feature: str | None, mode: str | None, list_features: bool) -> None:
    """Show FEATURE's rollback in the terminal: steps, commands, checks, whom to call.

    FEATURE is a runbook id, a title or a flag key. The card fits 80 columns (commands and
    links are never wrapped); colour only on a terminal, and never with NO_COLOR set. The
    same words as the site's page, the cards and the text message.
    """
    from rollbook.commands.show import feature_list
    from rollbook.commands.show import show as run

    project = _project(ctx)
    if list_features:
        echo(feature_list(project), nl=False)
        return
    if not feature:
        raise UsageError("name a FEATURE (an id, a title or a flag key), or use --list")
    color = mode is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    shown = run(project, feature, mode or "card", color=color)  # type: ignore[arg-type]
    for note in shown.notes:
        echo(f"note: {note}", err=True)
    if color:
        # The renderer escaped every string from the runbook (safe_text.for_terminal); the
        # only escape sequences left are its own colours, which echo would show as text.
        click.echo(shown.text, nl=False, color=True)
    else:
        echo(shown.text, nl=False)


@cli.command()
@click.argument("features", nargs=-1)
@click.option("--all", "all_features", is_flag=True, help="A card for every feature.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("rollback-cards.html"),
    show_default=True,
    help="The HTML file to write.",
)
@force_option("Replace a file that `rollbook card` did not write.")
@click.pass_context
def card(
    ctx: click.Context,
    features: tuple[str, ...],
    all_features: bool,
    output: Path,
    force: bool,
) -> None:
    """Write offline rollback cards for FEATURES (or --all) into one HTML file.

    The file needs no network: no script, nothing to load. Open it from a chat attachment
    or a phone's files app, or print it (one card per page). With site-url set, each card has
    a QR code of its page.
    """
    from rollbook.commands.card import write_cards

    written = write_cards(
        _project(ctx), list(features), all_features=all_features, out=output, force=force
    )
    for note in written.notes:
        echo(f"note: {note}", err=True)
    n = len(written.features)
    echo(f"wrote {written.path}: {n} card{'s' if n != 1 else ''}, {written.bytes // 1024 + 1} KB")


@cli.command("link-alerts")
@click.option("--write", is_flag=True, help="Write the changes (default: print a diff).")
@click.pass_context
def link_alerts(ctx: click.Context, write: bool) -> None:
    """Give each alert of a feature a runbook_url annotation leading to its page.

    Reads the rule files under `alert-rules`; an alert belongs to a feature when a signal of
    its runbook names it, or its feature label (`feature-label`) holds the runbook's id.
    Only the annotations change: comments, quoting, key order and indentation are kept.
    Without --write, prints a unified diff and exits 1 if anything would change.
    """
    from rollbook.commands.link_alerts import link_alerts as run

    outcome = run(_project(ctx), write=write)
    for note in outcome.plan.notes:
        echo(f"note: {note}", err=True)
    if write:
        for path in outcome.written:
            echo(f"wrote {path}")
        linked = outcome.plan.linked + sum(len(c.alerts) for c in outcome.plan.changes)
        verb = "alert leads" if linked == 1 else "alerts lead"
        echo(f"{linked} {verb} to its runbook.", err=True)
        return
    if outcome.diff:
        echo(outcome.diff, nl=False)
        count = sum(len(c.alerts) for c in outcome.plan.changes)
        echo(
            f"{count} alert{'s' if count != 1 else ''} to link in "
            f"{len(outcome.plan.changes)} file(s); run `rollbook link-alerts --write`.",
            err=True,
        )
        ctx.exit(EXIT_FINDINGS)
    echo("Every alert of a feature leads to its runbook; nothing to change.", err=True)


@cli.command()
@click.argument("feature")
@click.option(
    "--alerts",
    is_flag=True,
    help="Print the runbook_url annotation to paste into an alert, and the feature's alerts.",
)
@click.pass_context
def url(ctx: click.Context, feature: str, alerts: bool) -> None:
    """Print the page address of FEATURE (a runbook id, title or flag key); needs site-url."""
    from rollbook.commands.url import feature_url

    answer = feature_url(_project(ctx), feature, alerts=alerts)
    for line in answer.lines:
        echo(line)


@cli.command()
@click.argument("features", nargs=-1, metavar="FEATURE...")
@click.option(
    "--at",
    metavar="TIME",
    help="Ask about this time instead of now: "
    "2026-12-04T16:00 (in guard.time-zone) or with an offset.",
)
@click.option(
    "--window",
    metavar="DURATION",
    help="How long after the deploy someone able to "
    "roll back must stay reachable: 90m, 24h, 2d (default: guard.window, else 24h).",
)
@click.option(
    "--by",
    metavar="PERSON",
    help="Who deploys (id, name or chat handle in the "
    "teams file); counts as a contact only if reachable too.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for pipelines (schema: rollbook/schemas/guard.schema.json).",
)
@click.option(
    "--override",
    metavar="REASON",
    help="Deploy anyway: the reason and the person "
    "(--by, else $GITHUB_ACTOR, $GITLAB_USER_LOGIN or $USER) go on the record; exits 0.",
)
@click.option(
    "--next",
    "find_next",
    is_flag=True,
    help="Print the next time the deploy would pass (searching 60 days ahead).",
)
@click.option(
    "--stage",
    metavar="STAGE",
    help="The rollout stage the feature is at "
    "(number from 1, or name), instead of the flag source's or the runbook's.",
)
@click.option("--stage-started", metavar="TIME", help="When that stage started.")
@click.pass_context
def guard(
    ctx: click.Context,
    features: tuple[str, ...],
    at: str | None,
    window: str | None,
    by: str | None,
    output_format: str,
    override: str | None,
    find_next: bool,
    stage: str | None,
    stage_started: str | None,
) -> None:
    """May FEATURE be deployed now? Refuses during freezes, when nobody who can roll back is
    reachable for the window after the deploy, and when the runbook is not ready.

    Each reason is printed on its own line with what would make it pass. Exit codes: 0 go
    (or overridden), 1 refused (--next: no time found), 2 usage or configuration error.
    """
    from rollbook.commands.guard import run_guard

    run = run_guard(
        _project(ctx),
        list(features),
        at=at,
        window=window,
        by=by,
        override=override,
        output_format=output_format,
        find_next=find_next,
        stage=stage,
        stage_started=stage_started,
    )
    echo(run.output, nl=False)
    ctx.exit(run.exit_code)


class Terminated(BaseException):
    """SIGTERM arrived (a cancelled CI job, a process manager): stop, cleaning up on the way."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def _print_log_records() -> None:
    """Log records no handler takes (MkDocs' warnings) go through :func:`echo`.

    Python prints them with ``logging.lastResort``, raw; this replaces only that last resort,
    so what is printed, and when, does not change.
    """
    if not isinstance(logging.lastResort, _EchoHandler):
        logging.lastResort = _EchoHandler(logging.WARNING)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn anything unexpected into exit code 3."""
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    # By default SIGTERM ends Python without unwinding: a build would leave its folder
    # beside the site (the next build removes it, but nothing should be left at all).
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, _terminate)
    _print_log_records()
    try:
        _main(argv, verbose)
    finally:
        if argv is None:
            # The process ends here (the console script, `python -m rollbook`): a build
            # leaves a heap of 10,000 runbooks' models and pages that Python would walk
            # whole with the garbage collector before exiting, seconds at that scale for
            # memory the exit frees anyway. Not when called with arguments (as tests do).
            gc.disable()
            gc.freeze()


def _main(argv: list[str] | None, verbose: bool) -> None:
    try:
        code = cli.main(args=argv, prog_name="rollbook", standalone_mode=False)
    except click.exceptions.Abort:
        echo("Aborted.", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        # click prints the bad value as typed (a command name, an option's value): through
        # echo, like everything else. Colour stays on while capturing, or click would strip
        # the CSI sequences it knows and the reader would not see what was typed.
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            exc.ctx.color = True
        shown = io.StringIO()
        exc.show(file=shown)
        echo(shown.getvalue(), err=True, nl=False)
        sys.exit(
            exc.exit_code if isinstance(exc, CommandError) or exc.exit_code != 1 else EXIT_USAGE
        )
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Terminated:
        echo("Terminated.", err=True)
        sys.exit(128 + signal.SIGTERM)
    except Exception as exc:  # the last line of defence: never a bare traceback
        if verbose:
            echo(traceback.format_exc(), err=True, nl=False)
        echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in rollbook. Rerun with --verbose for the traceback and "
            "report it.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)

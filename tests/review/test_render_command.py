"""`rollbook render FEATURE...`: found by id, title or flag key; a clear error otherwise."""

from __future__ import annotations

from click.testing import CliRunner

from rollbook.cli import cli
from tests.review.conftest import Repo


def render(repo: Repo, *args: str):
    return CliRunner().invoke(
        cli, ["--config", str(repo.root / "rollbook.toml"), "render", *args], catch_exceptions=False
    )


def test_found_by_id_title_and_flag_key_alike(repo: Repo):
    outputs = {
        render(repo, name).output
        for name in ("one-click-checkout", "ONE-CLICK checkout", "checkout.one_click")
    }
    [output] = outputs
    assert output.startswith("## One-click checkout\n\n### Roll back: One-click checkout\n")
    assert "### Signals" in output and "### Contacts" in output


def test_rollback_only(repo: Repo):
    result = render(repo, "--rollback", "search.ranking_v2")
    assert result.exit_code == 0
    assert result.output.startswith("### Roll back: Search ranking v2\n")
    assert "### Signals" not in result.output and "**Steps:**" in result.output


def test_several_features_in_the_order_given(repo: Repo):
    result = render(repo, "--rollback", "search-ranking-v2", "one-click-checkout")
    assert result.exit_code == 0
    first = result.output.index("Roll back: Search ranking v2")
    second = result.output.index("Roll back: One-click checkout")
    assert first < second and "\n---\n" in result.output


def test_nothing_matches_exit_2_with_near_matches(repo: Repo):
    result = render(repo, "one-clik-checkout")
    assert result.exit_code == 2
    assert result.output == (
        "error: no feature matches 'one-clik-checkout' (an id, a title or a flag key); "
        "did you mean: one-click-checkout?\n"
    )
    result = render(repo, "checkout")  # a part of an id, a title and a flag key
    assert result.exit_code == 2
    assert "did you mean: one-click-checkout" in result.output
    result = render(repo, "zzz")
    assert result.exit_code == 2 and "did you mean" not in result.output


def test_html_is_the_site_page_content(repo: Repo):
    page = render(repo, "--format", "html", "one-click-checkout").output
    assert page.startswith('<div class="rb-runbook" data-rb-runbook="one-click-checkout">')
    card = render(repo, "--format", "html", "--rollback", "one-click-checkout").output
    assert card.startswith('<section class="rb-rollback"') and card.rstrip().endswith("</section>")
    assert card.strip() in page


def test_hostile_name_is_escaped_in_the_error(repo: Repo):
    result = render(repo, "\x1b[2Jx\u202e")
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\u202e" not in result.output


def test_text_is_the_rollback_card_rollbook_show_prints(repo: Repo):
    """`render --format text` and `show` render the same view: the same card, word for word."""
    shown = CliRunner().invoke(
        cli, ["--config", str(repo.root / "rollbook.toml"), "show", "one-click-checkout"]
    )
    result = render(repo, "--format", "text", "checkout.one_click")
    assert result.exit_code == 0 and shown.exit_code == 0
    assert result.output == shown.output
    assert result.output.startswith("ROLL BACK: One-click checkout\n")
    assert "\x1b" not in result.output  # never colour: the output goes to a file or a chat


def test_text_of_several_features_in_the_order_given(repo: Repo):
    result = render(repo, "--format", "text", "search-ranking-v2", "one-click-checkout")
    assert result.exit_code == 0
    first = result.output.index("ROLL BACK: Search ranking v2")
    assert first < result.output.index("ROLL BACK: One-click checkout")

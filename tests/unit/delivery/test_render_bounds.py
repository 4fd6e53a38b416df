"""A template that builds a huge value fails its one message with a RenderError, never a MemoryError."""

from __future__ import annotations

from pathlib import Path

import pytest

from cobro.delivery.channels.render import Renderer, RenderError


@pytest.mark.parametrize("expression", [
    '"x" * 10000000000',
    '[1] * 10000000000',
    '"x"|center(10000000000)',
    '"x".ljust(10000000000)',
    '"%10000000000s" % "x"',
    '9 ** (9 ** 9)',
])
def test_a_huge_value_is_a_render_error(tmp_path: Path, expression: str) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "huge.j2").write_text(
        "{% block subject %}s{% endblock %}{% block text %}{{ " + expression + " }}{% endblock %}", encoding="utf-8")
    with pytest.raises(RenderError, match=r"larger than|limit"):
        Renderer(tmp_path).render("huge", "en", {})


def test_ordinary_arithmetic_still_renders(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "ok.j2").write_text(
        "{% block subject %}s{% endblock %}{% block text %}{{ '-' * 3 }}{{ 2 ** 10 }}{{ '%5s' % 'a' }}"
        "{% endblock %}", encoding="utf-8")
    assert Renderer(tmp_path).render("ok", "en", {}).text == "---1024    a\n"

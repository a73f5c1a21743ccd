"""The ``vi`` filter marks data in Vietnamese with ``lang="vi"`` (WCAG 3.1.2)."""

from django.template import Context, Template
from django.utils import translation


def render(source: str, **context: object) -> str:
    return Template("{% load lang %}" + source).render(Context(context))


def test_vi_wraps_and_escapes():
    assert render("{{ name|vi }}", name="UBND phường <Dĩ An>") == (
        '<span lang="vi">UBND phường &lt;Dĩ An&gt;</span>'
    )


def test_vi_keeps_safe_markup_and_leaves_empty_values_alone():
    assert render("{{ text|linebreaksbr|vi }}", text="a\nb") == '<span lang="vi">a<br>b</span>'
    assert render("[{{ none|vi }}][{{ empty|vi }}]", none=None, empty="") == "[][]"


def test_vi_inside_blocktranslate_is_not_escaped_twice():
    with translation.override("vi"):
        out = render(
            "{% load i18n %}{% blocktranslate with name=n|vi %}Xin chào, {{ name }}.{% endblocktranslate %}",
            n="Hoa & Bình",
        )
    assert out == 'Xin chào, <span lang="vi">Hoa &amp; Bình</span>.'

"""A feedback item's history is stored in Vietnamese and shown in the reader's language."""

from __future__ import annotations

from django.utils import translation

from tinhso.feedback import events as ev
from tinhso.feedback.events import event_name, event_name_display
from tinhso.feedback.models import Rating


def test_names_are_stored_in_vietnamese_whoever_acts():
    with translation.override("en"):
        forwarded = event_name(ev.FORWARDED, unit="UBND phường Dĩ An")
        rated = event_name(ev.RATED, rating=Rating.choices[0][1])
    assert forwarded == "Chuyển UBND phường Dĩ An xử lý"
    assert rated.startswith("Người gửi đánh giá: ")
    assert rated == event_name(ev.RATED, rating=Rating.choices[0][1])  # same in Vietnamese


def test_names_are_shown_in_the_readers_language():
    forwarded = event_name(ev.FORWARDED, unit="UBND phường Dĩ An")
    rated = event_name(ev.RATED, rating=Rating.choices[0][1])
    with translation.override("en"):
        assert str(event_name_display(forwarded)) == (
            'Forwarded to <span lang="vi">UBND phường Dĩ An</span>'
        )
        assert str(event_name_display(rated)) == "Rated by the sender: Satisfied"
        assert str(event_name_display(ev.ANSWERED)) != ev.ANSWERED
        # what an official typed is shown as typed
        assert str(event_name_display("Ghi chú <b>riêng</b>")) == "Ghi chú &lt;b&gt;riêng&lt;/b&gt;"
    assert str(event_name_display(forwarded)).startswith('Chuyển <span lang="vi">')

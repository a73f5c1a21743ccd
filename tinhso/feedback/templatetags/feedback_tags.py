from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from tinhso.feedback.events import event_name_display

register = template.Library()


@register.filter
def event_name(value: str) -> SafeString:
    """A feedback history event's stored name in the reader's language."""
    return event_name_display(value)

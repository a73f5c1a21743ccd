"""Nightly publication of the platform's own open datasets."""

from __future__ import annotations

import datetime as dt

from tinhso.jobs.engine import durable_task, periodic_register


@durable_task(max_attempts=3)
def publish_platform_data_task() -> None:
    from django.core.management import call_command

    call_command("publish_platform_data")


periodic_register(
    publish_platform_data_task, every=dt.timedelta(days=1), offset=dt.timedelta(hours=-4)
)  # 03:00 in Hà Nội

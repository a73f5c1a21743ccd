from __future__ import annotations

import io
from typing import Any

import pytest

from tinhso.services.tests.conftest import (  # noqa: F401  (fixtures reused)
    EXE,
    PDF,
    PNG,
    birth,
    services_demo,
    submit_birth,
    upload,
)


@pytest.fixture
def fb_demo(services_demo: None) -> None:  # noqa: F811
    return None


@pytest.fixture
def submit_fb(fb_demo: None, user_named: Any) -> Any:
    from tinhso.feedback.services import FeedbackInput, feedback_submit

    def make(user: Any = "congdan", files: Any = (), ip: str = "10.0.0.1", **kw: Any) -> Any:
        if isinstance(user, str):
            user = user_named(user)
        now = kw.pop("now", None)
        data = FeedbackInput(
            category=kw.pop("category", "procedure"),
            subject=kw.pop("subject", "Thủ tục khai sinh yêu cầu giấy tờ thừa"),
            text=kw.pop("text", "Bộ phận một cửa yêu cầu nộp thêm bản sao sổ hộ khẩu."),
            **kw,
        )
        return feedback_submit(user=user, data=data, files=files, client_key=ip, now=now)

    return make


@pytest.fixture
def quiet_stdout() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(autouse=True)
def _tasks_at_once(monkeypatch: Any) -> None:
    # the test transaction never commits: run queued tasks at once instead of on commit
    from tinhso.jobs import engine

    monkeypatch.setattr(engine, "enqueue", lambda t, *args, **kwargs: t.call(*args, **kwargs))

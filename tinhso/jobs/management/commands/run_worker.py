"""``manage.py run_worker``: a worker of the database task queue (django-tasks-db's worker)
plus what Tỉnh Số adds around it: a heartbeat, the requeueing of tasks whose worker died,
and the periodic jobs. Run as many as you like, on as many machines as you like."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from tinhso.jobs import engine
from tinhso.jobs.models import WorkerHeartbeat


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý tác vụ nền (hàng đợi trong cơ sở dữ liệu)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue-name", default="*", help="Hàng đợi, cách nhau dấu phẩy.")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", action="store_true", help="Xử lý hết hàng đợi rồi dừng.")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument(
            "--no-periodic", action="store_true", help="Không xếp lịch các tác vụ định kỳ."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engine.tasks_autodiscover()
        beat = float(getattr(settings, "TINHSO_WORKER_HEARTBEAT_SECONDS", 10))
        stale = dt.timedelta(seconds=beat * 3)
        host = socket.gethostname()[:180]
        worker_id = f"{host}-{os.getpid()}-{get_random_string(8)}"[:64]
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, host=host, pid=os.getpid(), started_at=now, seen_at=now
        )
        engine.orphans_requeue(stale_after=stale)
        stop = threading.Event()
        periodic = not options["no_periodic"]

        def heartbeat() -> None:
            while not stop.wait(beat):
                try:
                    close_old_connections()
                    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
                        seen_at=timezone.now()
                    )
                    engine.orphans_requeue(stale_after=stale, own_worker_id=worker_id)
                    if periodic:
                        engine.periodic_tick()
                except Exception:  # keep beating: a locked SQLite file is transient
                    engine.log.exception("Worker heartbeat failed")
            connection.close()

        if periodic:
            engine.periodic_tick()
        thread = threading.Thread(target=heartbeat, name="heartbeat", daemon=True)
        thread.start()
        queues = [q.strip() for q in options["queue_name"].split(",") if q.strip()]
        worker = Worker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"Worker {worker_id}: queues {','.join(queues)}")
        try:
            worker.run()
        finally:
            stop.set()
            thread.join(timeout=beat + 1)
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()

"""Settings of the benchmark's servers (``bench/run.py`` sets ``DJANGO_SETTINGS_MODULE`` to
this module): the platform's settings with the benchmark's URLconf, which adds the bench-only
views. Production never loads this module, and nothing in ``tinhso/`` imports ``bench/``."""

from tinhso.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

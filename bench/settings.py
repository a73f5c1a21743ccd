"""Settings of the benchmark's servers (``bench/run.py`` sets ``DJANGO_SETTINGS_MODULE`` to
this module): the platform's settings with the benchmark's URLconf, which adds the bench-only
views. Production never loads this module, and nothing in ``tinhso/`` imports ``bench/``."""

from tinhso.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# One load generator on 127.0.0.1 stands for thousands of citizens: the per-client tracking
# throttle (60 lookups a minute) would answer it 429 and measure nothing.
TRACK_PER_CLIENT_PER_MINUTE = 10**9

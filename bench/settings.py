"""Settings of every process a benchmark starts: production's, plus the benchmark's bare views.

Production settings so that what is measured is what runs in production (no debug, the JSON renderer
only, the same middleware); the bare views live in ``bench.urls``, never in the product's URLs.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

"""What dubsubs knows of the Camb.ai API without talking to it: the default base URL, the
environment variables, the bulk endpoint's bounds and the alt-format names. Kept apart
from :mod:`dubsubs.camb.client` so that the CLI can build its options and help without
importing ``requests``."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://client.camb.ai/apis"
BASE_URL_ENV = "CAMB_API_BASE_URL"
API_KEY_ENV = "CAMB_API_KEY"

#: The bulk endpoint takes 2 to 5 run ids per call.
BULK_MIN = 2
BULK_MAX = 5

ALT_FORMATS = ("flac", "wav", "mp3", "aac", "m4a", "mkv", "mp4", "mov", "mxf")

#: Seconds an API call may take in all, retries and waits included.
DEFAULT_DEADLINE = 120.0
#: The slowest average a media or TTS body may arrive at, in bytes per second, after a
#: grace of the deadline (128 kbit/s: a 1 GiB file may take about 18 hours).
DEFAULT_MEDIA_MIN_RATE = 16 * 1024

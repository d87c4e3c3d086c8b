from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI (.ci/run sets CI=1) replays the same examples every run, so a landing cannot hang on
# an example no one has seen; at a desk each run explores new ones (and the database
# keeps every failure found).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
EBU_TT_D_XSD = SHARED / "schemas" / "ebu-tt-d" / "ebutt_d.xsd"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def ebu_tt_d_schema():  # type: ignore[no-untyped-def]
    """The EBU-TT-D XSD from ../shared, loaded once; skips where ../shared is absent."""
    if not EBU_TT_D_XSD.is_file():
        pytest.skip(f"EBU-TT-D schema not found at {EBU_TT_D_XSD} (../shared is not beside the checkout)")
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(EBU_TT_D_XSD)))


# --- API sandbox (dubsubs.camb.sandbox): a real HTTP server on 127.0.0.1 for HTTP tests -------


class SleepRecorder:
    """Stands in for ``time.sleep`` in a RetryPolicy: records the waits, spends none."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sandbox():  # type: ignore[no-untyped-def]
    """A fresh sandbox per test, so faults and the request log never leak between tests."""
    from dubsubs.camb.sandbox import Sandbox

    with Sandbox(api_key="test-key-7f3a9c2e51d4") as server:
        yield server


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(sandbox, sleeps):  # type: ignore[no-untyped-def]
    """A CambClient on the sandbox whose retries wait for nothing but record each delay."""
    from dubsubs.camb.client import CambClient, RetryPolicy

    with CambClient(
        sandbox.api_key,
        sandbox.url,
        timeout=(2.0, 5.0),
        retry=RetryPolicy(attempts=4, base_delay=0.5, max_delay=4.0, sleep=sleeps, rng=lambda: 0.5),
    ) as api:
        yield api

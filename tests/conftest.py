from __future__ import annotations

from pathlib import Path

import pytest

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

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def lhdn_data():
    """LHDN's published tables and samples, beside the project as ../shared."""
    path = SHARED / "data" / "lhdn"
    if not path.is_dir():
        pytest.skip("../shared/data/lhdn is not beside the project")
    return path

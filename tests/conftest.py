"""Shared pytest fixtures."""

from __future__ import annotations

import os

import pytest

from tco_xl.io.libreoffice import NOT_INSTALLED, soffice_path


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice; skips without it, but fails in CI (CI=true)."""
    path = soffice_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{NOT_INSTALLED} (CI must run the LibreOffice tests)")
        pytest.skip(NOT_INSTALLED)
    return path

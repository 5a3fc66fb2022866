"""Workbench test helpers: photos as a phone camera uploads them, media in a temp folder."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Photos go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    """A small real PNG, as a phone camera upload."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")

"""Helpers of the browser journeys: logging in, phone-sized pages, screenshots."""

from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

DEMO_PASSWORD = "wangge-demo"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
SHOTS = Path(settings.VAR_DIR) / "screenshots"


def shot(page, name: str) -> None:
    """A screenshot of the step, kept as a test artifact under var/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, live_server, username: str, next_url: str,
          password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click(".login button[type=submit]")
    expect(page).not_to_have_url(f"{live_server.url}/accounts/login/?next={next_url}")

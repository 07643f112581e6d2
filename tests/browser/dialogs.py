"""Shared real-browser checks for the back-office form-action dialogs (admin_app/form_actions.py)."""

from __future__ import annotations

from typing import Any


def assert_dialog_closes_and_clears(page: Any, modal: Any, opener: Any, field: Any) -> None:
    """The dialog starts hidden; `opener` shows it; Escape, a backdrop click and × each close it,
    and every reopening finds `field` empty again. Leaves the dialog closed (× was the last way)."""
    from playwright.sync_api import expect

    expect(modal).to_be_hidden()
    opener.click()
    expect(modal).to_be_visible()
    field.fill("черновик 1")
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()

    opener.click()
    expect(modal).to_be_visible()
    expect(field).to_have_value("")
    field.fill("черновик 2")
    modal.click(position={"x": 5, "y": 5})  # the backdrop, outside the dialog box
    expect(modal).to_be_hidden()

    opener.click()
    expect(field).to_have_value("")
    field.fill("черновик 3")
    modal.locator(".s7-close").click()
    expect(modal).to_be_hidden()

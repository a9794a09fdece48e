"""What the browser tours (static/tests/tours/) and their Python side say to each other.

Python to a tour: the data it needs (record ids, the UUID and link to expect), as JSON in
the cookie ``l10n_my_einvoice_tour``, set before the page loads; the tours read it with
``tourData()``.

A tour to Python: console lines ``l10n_my_einvoice_tour:{json}``, read by TourBrowser:

- ``{"screenshot": name}``: when L10N_MY_EINVOICE_SCREENSHOTS names a folder, the page as
  it is now is saved there as ``tour-<name>.png`` (the test may rename it, or drop it with
  None); without the variable nothing is written. Either way the browser is then told
  (``body[data-l10n-my-einvoice-shot=name]``), which the tour's next step waits for, so
  the screen does not change before it is taken.
- ``{"read": key, "text": text}``: a text the tour read on the screen (a button, a state),
  kept in ``test.tour_reads[key]`` for the test to assert on, in the user's language.
Not a test module.
"""

import base64
import json
import os
import pathlib
from unittest.mock import patch
from urllib.parse import quote

from odoo.tests import common as odoo_test_common

SCREENSHOTS_ENV = "L10N_MY_EINVOICE_SCREENSHOTS"
MARKER = "l10n_my_einvoice_tour:"
DATA_COOKIE = "l10n_my_einvoice_tour"


class TourBrowser(odoo_test_common.ChromeBrowser):
    """Odoo's test Chrome, answering the tours' console markers."""

    def _handle_console(self, type, args=None, stackTrace=None, **kw):  # pylint: disable=redefined-builtin
        first = (args or [{}])[0]
        text = first.get("value") if first.get("type") == "string" else None
        if type == "log" and isinstance(text, str) and text.startswith(MARKER):
            self._tour_marker(json.loads(text[len(MARKER) :]))
        return super()._handle_console(type, args=args, stackTrace=stackTrace, **kw)

    def _tour_marker(self, message):
        if "read" in message:
            self.test_case.tour_reads[message["read"]] = message.get("text")
        if "screenshot" in message:
            self._tour_screenshot(message["screenshot"])

    def _tour_screenshot(self, name):
        """Runs in the websocket thread: no waiting here, callbacks only."""

        def acknowledge(_future=None):
            self._websocket_send(
                "Runtime.evaluate",
                params={"expression": f"document.body.dataset.l10nMyEinvoiceShot = {json.dumps(name)};"},
            )

        folder = os.environ.get(SCREENSHOTS_ENV)
        file_name = self.test_case.screenshot_names.get(name, name)
        if not folder or not file_name:
            acknowledge()
            return

        def save(future):
            try:
                data = future.result(timeout=0)["data"]
                path = pathlib.Path(folder) / f"tour-{file_name}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(base64.b64decode(data))
                self._logger.info("tour screenshot %s", path)
            except Exception:  # noqa: BLE001 - a screenshot lost must not hide the tour's own result
                self._logger.warning("tour screenshot %s not saved", file_name, exc_info=True)
            acknowledge()

        future = self._websocket_send("Page.captureScreenshot", params={"format": "png"}, with_future=True)
        if future:
            future.add_done_callback(save)


class TourCaseMixin:
    """For an HttpCase: ``run_tour`` starts a tour in TourBrowser with its data cookie."""

    browser_size = "1440x1000"
    # Rendering the invoice report in a read-only request (/report/html/...) makes account
    # write the move (is_manually_modified); a real server retries it read/write with a
    # warning, but the test cursor logs the refused UPDATE as an ERROR first.
    _registry_readonly_enabled = False

    def setUp(self):
        super().setUp()
        self.tour_reads = {}
        self.screenshot_names = {}  # screenshot name in the tour -> file name (None: not saved)
        patcher = patch.object(odoo_test_common, "ChromeBrowser", TourBrowser)
        patcher.start()
        self.addCleanup(patcher.stop)

    def run_tour(self, path, tour, login, /, **data):
        """Start ``tour`` at ``path`` for the user ``login``; ``data`` is what tourData() gives it."""
        cookie = quote(json.dumps(data), safe="")
        self.start_tour(path, tour, login=login, cookies={DATA_COOKIE: cookie}, timeout=120)
        self.env.invalidate_all()

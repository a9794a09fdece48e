"""``Emulator``: puts the clock, store, checks, rate limits, faults and the
HTTP server together, and is what tests and the CLI hold."""

import logging
import threading

from . import lifecycle, server
from .api import ENDPOINTS, Api
from .auth import Principal
from .clock import Clock
from .documents import act
from .faults import Faults
from .limits import RateLimiter
from .state import Store
from .stats import Stats
from .suppliers import Supplier

log = logging.getLogger(__name__)
BACKGROUND_INTERVAL = 0.2  # seconds of real time between background validation runs
PORTAL = "MyInvois portal"  # the client id of actions taken outside any ERP's API


class Emulator:
    """A MyInvois double on 127.0.0.1. See the package docstring for what it does
    and where it differs from LHDN."""

    def __init__(
        self, port=0, validation_delay=0.0, state_file=None, rate_window=60.0, rate_limits=None, token_lifetime=3600
    ):
        self.port = port
        self.validation_delay = float(validation_delay)
        self.token_lifetime = int(token_lifetime)
        self.clock = Clock()
        self.store = Store(state_file)  # loads the state file now, so records are there before start()
        self.stats = Stats()
        self.limiter = RateLimiter(rate_window, rate_limits)
        self.faults = Faults(ENDPOINTS)
        self.api = Api(self)
        self.base_url = None
        self._server = None
        self._stop = threading.Event()
        self._worker = None

    # --- running -----------------------------------------------------------------
    def start(self):
        """Serve in background threads; returns ``http://127.0.0.1:<port>``."""
        if self._server is None:
            self._server = server.serve(self.port, self)
            self.port = self._server.server_address[1]
            self.base_url = f"http://{server.LOOPBACK}:{self.port}"
            self._stop.clear()
            self._worker = threading.Thread(target=self._background, name="myinvois-emulator-validation", daemon=True)
            self._worker.start()
        return self.base_url

    def stop(self):
        if self._server is None:
            return
        self._stop.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._worker.join(timeout=2)
        self._server = self._worker = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _background(self):
        # Clients polling Get Submission see progress without anyone calling process_pending().
        while not self._stop.wait(BACKGROUND_INTERVAL):
            try:
                self.process_pending()
            except Exception:
                log.exception("background validation failed")

    # --- seeding and control (tests) ------------------------------------------------
    def add_client(self, client_id, client_secret, tin, brn=None, represents=()):
        """An ERP registration; ``represents``: TINs it may act for as an intermediary."""
        self.store.add_client(client_id, client_secret, tin, brn, represents)

    def add_taxpayer(self, tin, name, id_type="BRN", id_value=None, **details):
        """A taxpayer the TIN endpoints know; ``qr_code_text=`` and the QR fields
        (``email``, ``city``...) serve the QR code info endpoint."""
        self.store.add_taxpayer(tin, name, id_type, id_value, **details)

    def add_supplier(self, tin, brn, name):
        """Another taxpayer, with its own ERP registration and certificate, that issues
        e-invoices to its buyers through this emulator's API (``Supplier.issue``). Start
        the emulator first: the supplier talks to it over HTTP."""
        if self.base_url is None:
            raise RuntimeError("start the emulator before adding a supplier: it submits over HTTP")
        return Supplier(self, tin, brn, name)

    def inject(self, endpoint, kind, times=1, **options):
        self.faults.inject(endpoint, kind, times, **options)

    def process_pending(self):
        """Decide every Submitted document due at the clock's now; returns how many."""
        return lifecycle.process_pending(self.store, self.clock.now())

    # --- what others do at LHDN (tests) -------------------------------------------------
    def reject_as_buyer(self, uuid, reason):
        """The receiver (the buyer; the supplier of a self-billed document) asks to
        reject ``uuid``, in the portal or through its own ERP. Same rules and answers as
        PUT documents/state/{uuid}/state with status "rejected", on ``self.clock``:
        returns ``{"uuid", "status": "Requested for Rejection"}``, raises ApiError
        (``.status``, ``.code``, ``.body``) where LHDN refuses."""
        return self._act_elsewhere(uuid, "rejected", reason, "receiverTin")

    def cancel_in_portal(self, uuid, reason):
        """The issuer cancels ``uuid`` in the MyInvois portal, not through our API:
        the cancel endpoint's rules and answers (``{"uuid", "status": "Cancelled"}`` or ApiError)."""
        return self._act_elsewhere(uuid, "cancelled", reason, "issuerTin")

    def _act_elsewhere(self, uuid, status, reason, party):
        self.process_pending()  # as the API does before each call: what is due is decided
        record = self.store.documents.get(uuid) or {}
        # Logged in as that party; no token or rate limit: the portal is not our client's API.
        principal = Principal(client_id=PORTAL, tin=record.get(party))
        return act(self, principal, uuid, {"status": status, "reason": reason})

    @property
    def documents(self):
        return self.store.documents

    def documents_by_code(self, code_number):
        return self.store.documents_by_code(code_number)

"""Tokens, rate-limit windows and outage pauses shared by every Odoo worker.

The core client (myinvois/client.py) takes a token store and a rate limiter;
the two classes below keep that state in PostgreSQL. Each operation runs in its
own short READ COMMITTED transaction on a dedicated cursor, for two reasons:
another worker must see a login or a counted call at once, not when this
worker's cron commits; and a rollback of the caller must not forget a token or
a call that LHDN has already counted. Rows are keyed by a SHA-256 of the API
URL, client ID (and represented TIN), so the tables name no credential.

``run_unless_paused`` is how every pipeline job (models/pipeline_*.py) makes its LHDN
calls around those pauses; ``trigger_committed`` wakes a cron past the caller's rollback.
"""

import contextlib
import datetime
import hashlib
import json
import logging
import threading
import time

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import SUPERUSER_ID, api, fields, models, sql_db
from odoo.exceptions import UserError
from odoo.orm.environments import Transaction

from ..myinvois import client as api_client
from ..myinvois import environments

_logger = logging.getLogger(__name__)
WHOLE_API = "*"  # the endpoint name of a pause: every call of the client waits
MAX_PAUSE_SECONDS = 30 * 60  # an outage is retried at least every half hour


def utc_datetime(epoch):
    """Epoch seconds (the database clock) as the naive UTC datetime Odoo stores."""
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).replace(tzinfo=None)


def state_key(*parts):
    return hashlib.sha256("\x1f".join(str(part or "") for part in parts).encode()).hexdigest()


@contextlib.contextmanager
def autonomous_cursor(registry, readonly=False):
    """A cursor of its own, READ COMMITTED, committed on exit (rolled back on error).
    ``readonly``: for a read only (a read-only request, e.g. a form's computes, may open
    no other kind; Odoo may take it from a replica)."""
    with registry.cursor(readonly=readonly) as cr:
        # Only a real cursor has a connection of its own. A test-mode cursor (registry in
        # test mode, e.g. under HttpCase) shares the test's connection: changing its
        # isolation level would end the test's transaction.
        if isinstance(cr, sql_db.Cursor):
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
        yield cr


def trigger_committed(env, cron_xmlid, at=None):
    """Wake a cron in a transaction of its own: the caller is about to roll back
    (a button that ends in a UserError), and the cron must still come."""
    cron_id = env.ref(cron_xmlid).id
    with autonomous_cursor(env.registry) as cr:
        # Given the registry: Registry(dbname) would wait on its lock during a test run.
        cr.transaction = Transaction(env.registry)
        api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron_id)._trigger(at)


class L10nMyEinvoiceApiToken(models.Model):
    """MyInvois access tokens, one per API URL, client ID and represented TIN."""

    _name = "l10n_my_einvoice.api.token"
    _description = "MyInvois access token"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    access_token = fields.Char(readonly=True, groups="base.group_system")
    expires_at = fields.Float(readonly=True, help="Epoch seconds")

    _key_unique = models.UniqueIndex("(key)")


class L10nMyEinvoiceApiLimit(models.Model):
    """Calls made in the last window per client and endpoint, and pauses."""

    _name = "l10n_my_einvoice.api.limit"
    _description = "MyInvois rate-limit window"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    calls = fields.Json(readonly=True, help="Epoch seconds of the calls in the current window")
    blocked_until = fields.Float(readonly=True, help="Epoch seconds; nobody calls before")
    failures = fields.Integer(readonly=True, help="Consecutive outages (pauses only)")
    reason = fields.Char(readonly=True)

    _key_unique = models.UniqueIndex("(key)")


class DatabaseTokenStore:
    """The client's token store (get/set/invalidate/lock) in l10n_my_einvoice_api_token.

    ``lock(key)`` holds the token row FOR UPDATE while one worker logs in; the
    others wait on that row and then read the new token, so N workers make
    one login. Inside the lock, get/set use the locking transaction."""

    def __init__(self, registry):
        self.registry = registry
        self._held = threading.local()

    def _held_cursor(self, key):
        return getattr(self._held, "cursors", {}).get(key)

    @contextlib.contextmanager
    def _cursor(self, key):
        held = self._held_cursor(key)
        if held is not None:
            yield held
            return
        with autonomous_cursor(self.registry) as cr:
            yield cr

    def get(self, key):
        with self._cursor(key) as cr:
            cr.execute(
                "SELECT access_token, expires_at FROM l10n_my_einvoice_api_token WHERE key = %s", [state_key(*key)]
            )
            row = cr.fetchone()
        return (row[0], row[1]) if row and row[0] else None

    def set(self, key, token, expires_at):
        with self._cursor(key) as cr:
            cr.execute(
                """
                INSERT INTO l10n_my_einvoice_api_token (key, access_token, expires_at) VALUES (%s, %s, %s)
                ON CONFLICT (key) DO UPDATE SET access_token = EXCLUDED.access_token,
                                                expires_at = EXCLUDED.expires_at""",
                [state_key(*key), token, expires_at],
            )

    def invalidate(self, key, token=None):
        with self._cursor(key) as cr:
            cr.execute(
                """
                UPDATE l10n_my_einvoice_api_token SET access_token = NULL, expires_at = 0
                 WHERE key = %s AND (%s IS NULL OR access_token = %s)""",
                [state_key(*key), token, token],
            )

    @contextlib.contextmanager
    def lock(self, key):
        with autonomous_cursor(self.registry) as cr:
            digest = state_key(*key)
            # A concurrent first insert waits for ours: the row itself is the lock.
            cr.execute(
                "INSERT INTO l10n_my_einvoice_api_token (key) VALUES (%s) ON CONFLICT (key) DO NOTHING", [digest]
            )
            cr.execute("SELECT 1 FROM l10n_my_einvoice_api_token WHERE key = %s FOR UPDATE", [digest])
            cursors = self._held.__dict__.setdefault("cursors", {})
            cursors[key] = cr
            try:
                yield
            finally:
                cursors.pop(key, None)


class DatabaseRateLimiter:
    """The client's rate limiter (acquire/block) in l10n_my_einvoice_api_limit: one
    sliding window per API URL, client ID and endpoint for all workers together,
    timed by the database clock so workers on several hosts agree."""

    def __init__(self, registry, scope, limits=None, window=60.0, margin=1.0, sleep=time.sleep):
        self.registry = registry
        self.scope = scope
        self.limits = {**environments.RATE_LIMITS, **(limits or {})}
        self.window = window + margin  # see MemoryRateLimiter: LHDN counts calls on arrival
        self._sleep = sleep

    def _locked_row(self, cr, key):
        cr.execute("INSERT INTO l10n_my_einvoice_api_limit (key) VALUES (%s) ON CONFLICT (key) DO NOTHING", [key])
        cr.execute(
            """
            SELECT calls, blocked_until, failures, reason, extract(epoch FROM clock_timestamp())::float8
              FROM l10n_my_einvoice_api_limit WHERE key = %s FOR UPDATE""",
            [key],
        )
        calls, blocked_until, failures, reason, now = cr.fetchone()
        return calls or [], blocked_until or 0.0, failures or 0, reason, now

    def acquire(self, client_id, endpoint):
        limit = self.limits.get(endpoint, environments.UNPUBLISHED_RATE_LIMIT)
        key = state_key(self.scope, client_id, endpoint)
        while True:
            with autonomous_cursor(self.registry) as cr:
                calls, blocked_until, _failures, _reason, now = self._locked_row(cr, key)
                recent = [at for at in calls if at > now - self.window]
                wait = blocked_until - now
                free = wait <= 0 and (limit is None or len(recent) < limit)
                if free:
                    recent.append(now)
                if free or len(recent) != len(calls):
                    cr.execute(
                        "UPDATE l10n_my_einvoice_api_limit SET calls = %s WHERE key = %s", [json.dumps(recent), key]
                    )
                if free:
                    return
                if wait <= 0:
                    wait = recent[0] + self.window - now
            self._sleep(max(wait, 0.01))

    def block(self, client_id, endpoint, seconds):
        """LHDN said 429: no worker calls that endpoint before ``seconds`` from now."""
        key = state_key(self.scope, client_id, endpoint)
        with autonomous_cursor(self.registry) as cr:
            _calls, blocked_until, _failures, _reason, now = self._locked_row(cr, key)
            cr.execute(
                "UPDATE l10n_my_einvoice_api_limit SET blocked_until = %s WHERE key = %s",
                [max(blocked_until, now + seconds), key],
            )

    # --- pauses: the whole API of this client, after an outage ------------------------------
    def pause(self, client_id, reason, retry_after=None):
        """Pause every call of this client: ``retry_after`` seconds when LHDN said so,
        else 1, 2, 4 ... 30 minutes for the 1st, 2nd, 3rd ... consecutive pause.
        Returns (until epoch, n)."""
        key = state_key(self.scope, client_id, WHOLE_API)
        with autonomous_cursor(self.registry) as cr:
            _calls, blocked_until, failures, _reason, now = self._locked_row(cr, key)
            failures += 1
            seconds = retry_after or min(60 * 2 ** (failures - 1), MAX_PAUSE_SECONDS)
            until = max(blocked_until, now + seconds)
            cr.execute(
                "UPDATE l10n_my_einvoice_api_limit SET blocked_until = %s, failures = %s, reason = %s WHERE key = %s",
                [until, failures, reason, key],
            )
        return until, failures

    def resume(self, client_id):
        """The API answered again: end the pause. Returns the failures it ended (0: none)."""
        key = state_key(self.scope, client_id, WHOLE_API)
        with autonomous_cursor(self.registry) as cr:
            cr.execute(
                """
                UPDATE l10n_my_einvoice_api_limit new SET blocked_until = 0, failures = 0, reason = NULL
                  FROM l10n_my_einvoice_api_limit old
                 WHERE new.key = %s AND old.key = new.key AND new.failures > 0
             RETURNING old.failures""",
                [key],
            )
            row = cr.fetchone()
        return row[0] if row else 0

    def paused(self, client_id):
        """(until epoch, reason) while this client is paused, else None."""
        key = state_key(self.scope, client_id, WHOLE_API)
        with autonomous_cursor(self.registry, readonly=True) as cr:
            cr.execute(
                """
                SELECT blocked_until, reason FROM l10n_my_einvoice_api_limit
                 WHERE key = %s AND blocked_until > extract(epoch FROM clock_timestamp())""",
                [key],
            )
            row = cr.fetchone()
        return (row[0], row[1]) if row else None


def run_unless_paused(company, work, what, cron_xmlid):
    """Run ``work()`` (LHDN calls of ``company``) unless its calls are paused; returns
    True when it ran. Nothing is failed for a reason that is not the documents': an
    outage or a 429 pauses the company with backoff, and so does a refused login (with
    a message saying which settings to correct, shown on the waiting moves); the cron
    ``cron_xmlid`` is woken when the pause ends."""
    env = company.env
    paused = company._l10n_my_einvoice_paused()
    if paused:
        _logger.debug("MyInvois %s for company %s waits until %s", what, company.id, paused[0])
        return False
    try:
        work()
    except (api_client.ServiceUnavailableError, api_client.RateLimitedError, api_client.AuthenticationError) as error:
        reason = None
        if isinstance(error, api_client.AuthenticationError):
            reason = env._(
                "MyInvois refused the login of %(company)s%(code)s: correct the Client ID and Client secret (for "
                "an intermediary, also 'On behalf of') in Settings > Invoicing > MyInvois (LHDN); sandbox and "
                "production credentials differ. Then click Test connection. Nothing is lost: the documents wait.",
                company=company.name,
                code=f" ({error.code})" if error.code else "",
            )
        until = company._l10n_my_einvoice_pause(error, reason)
        env.ref(cron_xmlid)._trigger(until + datetime.timedelta(seconds=1))
        return False
    except (api_client.MyInvoisError, UserError) as error:
        # Settings incomplete, or a refusal that is about no document (e.g. the
        # intermediary's permission): the documents wait and the next run tries again.
        _logger.warning("MyInvois %s postponed for company %s: %s", what, company.id, error)
        return False
    company._l10n_my_einvoice_resume()
    return True

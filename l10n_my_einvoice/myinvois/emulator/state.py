"""The emulator's memory: clients, taxpayers, tokens, submissions, documents.

Plain dicts (JSON-ready) under one re-entrant lock. With a state file, every
change is written at once (atomically: temporary file, then rename) and the
file is read back when an Emulator starts, so a demo survives a restart.
The lifecycle rules live in lifecycle.py; this module only keeps and finds.
"""

import json
import os
import secrets
import tempfile
import threading

from . import clock

ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: LHDN UUIDs are 26 such characters
LONG_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECTIONS = ("clients", "taxpayers", "tokens", "submissions", "documents", "payloads")


def new_uid(length=26, alphabet=ID_ALPHABET):
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_long_id():
    return new_uid(40, LONG_ID_ALPHABET)


class Store:
    def __init__(self, path=None):
        self.lock = threading.RLock()
        self.path = path
        self.clients = {}  # client_id -> {secrets, tin, brn, represents}
        self.taxpayers = {}  # tin -> {name, idType, idValue, qrCodeText, details}
        self.tokens = {}  # access token -> {clientId, tin, brn, onBehalfOf, expiresAt}
        self.submissions = {}  # submissionUid -> {clientId, tin, dateTimeReceived, uuids}
        self.documents = {}  # uuid -> record (see submission.py)
        self.payloads = {}  # "TIN sha256" -> exact receipt time, for the 10-minute duplicate rule
        self.seq = 0  # receipt order of documents
        if path and os.path.exists(path) and os.path.getsize(path):
            self._load()

    # --- persistence ---------------------------------------------------------------
    def _load(self):
        with open(self.path, encoding="utf-8") as handle:
            data = json.load(handle)
        for name in SECTIONS:
            getattr(self, name).update(data.get(name, {}))
        self.seq = int(data.get("seq", 0))

    def save(self):
        if not self.path:
            return
        with self.lock:
            data = {name: getattr(self, name) for name in SECTIONS}
            data["seq"] = self.seq
            directory = os.path.dirname(os.path.abspath(self.path))
            handle, temporary = tempfile.mkstemp(prefix=".emulator-", suffix=".json", dir=directory)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(data, out, ensure_ascii=False)
                os.replace(temporary, self.path)
            except BaseException:
                if os.path.exists(temporary):
                    os.unlink(temporary)
                raise

    # --- clients, taxpayers, tokens ------------------------------------------------
    def add_client(self, client_id, client_secret, tin, brn=None, represents=()):
        secrets_ = [client_secret] if isinstance(client_secret, str) else list(client_secret)
        with self.lock:
            self.clients[client_id] = {
                "secrets": secrets_,
                "tin": tin,
                "brn": brn,
                "represents": [str(t).upper() for t in represents],
            }
            self.save()

    def add_taxpayer(self, tin, name, id_type="BRN", id_value=None, qr_code_text=None, **details):
        with self.lock:
            self.taxpayers[tin] = {
                "tin": tin,
                "name": name,
                "idType": id_type,
                "idValue": id_value,
                "qrCodeText": qr_code_text,
                "details": details,
            }
            self.save()

    def issue_token(self, client_id, tin, brn, onbehalfof, now, lifetime):
        token = secrets.token_urlsafe(48)
        with self.lock:
            # Forget expired tokens (they would get 401 anyway) so a long demo does not grow.
            self.tokens = {key: value for key, value in self.tokens.items() if clock.parse(value["expiresAt"]) > now}
            self.tokens[token] = {
                "clientId": client_id,
                "tin": tin,
                "brn": brn,
                "onBehalfOf": onbehalfof,
                "expiresAt": clock.exact(now + lifetime),
            }
            self.save()
        return token

    # --- submissions and documents ---------------------------------------------------
    def payload_seen_at(self, tin, digest):
        entry = self.payloads.get(f"{tin} {digest}")
        return clock.parse(entry) if entry else None

    def accept_submission(self, tin, digest, when, window, submission_uid, submission, records):
        """Record a received payload and its accepted documents in one step, all or
        nothing: a failure here leaves no payload behind (a resend would otherwise be
        a false duplicate). Returns None, or the earlier receipt time when the same
        payload from ``tin`` is still within ``window`` (nothing is recorded then)."""
        key = f"{tin} {digest}"
        with self.lock:
            seen = self.payload_seen_at(tin, digest)
            if seen is not None and when - seen < window:
                return seen
            before = (self.payloads, self.seq)
            try:
                self.payloads = {k: v for k, v in self.payloads.items() if clock.parse(v) > when - window}
                self.payloads[key] = clock.exact(when)
                for record in records:
                    self.seq += 1
                    record["seq"] = self.seq
                    self.documents[record["uuid"]] = record
                if submission_uid:
                    self.submissions[submission_uid] = submission
                self.save()
            except BaseException:
                self.payloads, self.seq = before
                self.submissions.pop(submission_uid, None)
                for record in records:
                    self.documents.pop(record["uuid"], None)
                raise
        return None

    def submission_records(self, submission_uid):
        with self.lock:
            submission = self.submissions.get(submission_uid)
            if submission is None:
                return None, []
            return submission, [self.documents[uuid] for uuid in submission["uuids"] if uuid in self.documents]

    def documents_by_code(self, code_number):
        with self.lock:
            return [
                record
                for record in sorted(self.documents.values(), key=lambda r: r["seq"])
                if code_number in (record["codeNumber"], record["internalId"])
            ]

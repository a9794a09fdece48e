"""The MyInvois core: everything LHDN-specific, in plain Python.

Nothing under this package imports ``odoo``; the Odoo layer calls into it. That
keeps the rules LHDN applies testable in milliseconds and usable from the CLI
(``python -m l10n_my_einvoice.myinvois``).
"""

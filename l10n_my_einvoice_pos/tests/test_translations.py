from odoo.tests import TransactionCase, tagged

from odoo.addons.l10n_my_einvoice.tests.translation_checks import MalayTranslationChecks


@tagged("post_install", "-at_install")
class TestPosMalayTranslation(MalayTranslationChecks, TransactionCase):
    """Every term of the POS bridge has its Malay, and its .pot is what Odoo exports."""

    MODULE = "l10n_my_einvoice_pos"

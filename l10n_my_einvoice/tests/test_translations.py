from odoo.tests import TransactionCase, tagged

from .translation_checks import MalayTranslationChecks


@tagged("post_install", "-at_install")
class TestMalayTranslation(MalayTranslationChecks, TransactionCase):
    """Every term of the addon has its Malay; a Malay user sees it."""

    MODULE = "l10n_my_einvoice"

    def test_the_addon_has_all_its_terms(self):
        self.assertGreater(len(self.terms), 600)

    def test_a_malay_user_sees_fields_selections_buttons_and_messages_in_malay(self):
        self.env["res.lang"]._activate_lang("ms_MY")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["ms_MY"], overwrite=True)
        malay = self.env(context={"lang": "ms_MY"})
        move = malay["account.move"]
        field = move._fields["l10n_my_einvoice_note_type"]
        self.assertEqual(field._description_string(malay), self.malay["MyInvois note type"])
        self.assertEqual(dict(field._description_selection(malay))["auto"], self.malay["From the payments"])
        states = dict(malay["l10n_my_einvoice.document"]._fields["state"]._description_selection(malay))
        self.assertEqual(states["invalid"], self.malay["Invalid"])
        arch = move.get_view(malay.ref("account.view_move_form").id, "form")["arch"]
        self.assertIn(self.malay["Submit to MyInvois"], arch)
        self.assertNotIn('string="Submit to MyInvois"', arch)
        self.assertEqual(malay._("How to fix:"), self.malay["How to fix:"])

import os

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")
MODULE = "l10n_my_einvoice"


@tagged("post_install", "-at_install")
class TestMalayTranslation(TransactionCase):
    """Every term Odoo would export for the addon (fields, selections, help, views,
    menus, wizards, messages, the PDF block, e-mail templates) has its Malay; a Malay
    user sees it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reader = TranslationModuleReader(cls.env.cr, [MODULE])
        cls.terms = {source for module, _type, _name, _res_id, source, _value, _comments in reader if module == MODULE}
        # A term the same in Malay (a code, a name) has no msgstr and the comment "same in Malay".
        cls.malay = {
            entry.msgid: entry.msgstr or (entry.msgid if "same in Malay" in entry.tcomment else "")
            for entry in polib.pofile(os.path.join(I18N, "ms.po"))
        }

    def test_every_term_of_the_addon_has_its_malay(self):
        self.assertGreater(len(self.terms), 600)
        missing = sorted(term for term in self.terms if not self.malay.get(term, "").strip())
        self.assertEqual(missing, [], "run `bash dev.sh i18n` and translate the new terms in i18n/ms.po")

    def test_the_template_is_what_odoo_exports(self):
        template = {entry.msgid for entry in polib.pofile(os.path.join(I18N, f"{MODULE}.pot"))}
        self.assertEqual(sorted(self.terms - template), [], "terms missing from the .pot: `bash dev.sh i18n`")
        self.assertEqual(sorted(template - self.terms), [], "terms the addon no longer has: `bash dev.sh i18n`")

    def test_a_malay_user_sees_fields_selections_buttons_and_messages_in_malay(self):
        self.env["res.lang"]._activate_lang("ms_MY")
        self.env["ir.module.module"]._load_module_terms([MODULE], ["ms_MY"], overwrite=True)
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

"""What every addon of the project checks about its Malay translation, inside Odoo: the
terms Odoo would export now (fields, selections, help, views, menus, wizards, messages,
the PDF block, e-mail templates) each have their Malay in i18n/ms.po, and the .pot is
what Odoo exports. A mixin, so that the POS bridge runs it on its own terms."""

import os

import polib

from odoo.modules.module import get_module_path
from odoo.tools.translate import TranslationModuleReader


def malay_terms(path):
    """{msgid: Malay} of a .po: a term the same in Malay (a code, a name) has no msgstr
    and the comment "same in Malay"; a term nobody translated maps to ""."""
    return {
        entry.msgid: entry.msgstr or (entry.msgid if "same in Malay" in entry.tcomment else "")
        for entry in polib.pofile(path)
    }


class MalayTranslationChecks:
    MODULE = None  # the addon
    allow_inherited_tests_method = True  # Odoo's loader runs only a class's own test methods otherwise

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.i18n = os.path.join(get_module_path(cls.MODULE), "i18n")
        reader = TranslationModuleReader(cls.env.cr, [cls.MODULE])
        cls.terms = {source for module, _type, _name, _id, source, _value, _comments in reader if module == cls.MODULE}
        cls.malay = malay_terms(os.path.join(cls.i18n, "ms.po"))

    def test_every_term_of_the_addon_has_its_malay(self):
        self.assertTrue(self.terms)
        missing = sorted(term for term in self.terms if not self.malay.get(term, "").strip())
        self.assertEqual(missing, [], "run `bash dev.sh i18n` and translate the new terms in i18n/ms.po")

    def test_the_template_is_what_odoo_exports(self):
        template = {entry.msgid for entry in polib.pofile(os.path.join(self.i18n, f"{self.MODULE}.pot"))}
        self.assertEqual(sorted(self.terms - template), [], "terms missing from the .pot: `bash dev.sh i18n`")
        self.assertEqual(sorted(template - self.terms), [], "terms the addon no longer has: `bash dev.sh i18n`")

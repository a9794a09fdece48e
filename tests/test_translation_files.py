"""The Malay translation file, checked without Odoo: every term of the template is
translated, and no translation loses a placeholder, a tag or a line break that Odoo
or the browser needs. A term that reads the same in Malay (a code, a name) has an
empty msgstr, as OCA's layout wants, and the translator's comment "same in Malay".
(That every term the addon's code and views hold is in the template is checked inside
Odoo: l10n_my_einvoice/tests/test_translations.py.)"""

import collections
import pathlib
import re

import polib
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDONS = ("l10n_my_einvoice", "l10n_my_einvoice_pos")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdr]|%[sdr]|%%|\{\{[^}]*\}\}|\{[a-z_]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@pytest.fixture(scope="module", params=ADDONS)
def addon(request):
    return request.param


@pytest.fixture(scope="module")
def malay(addon):
    return polib.pofile(str(ROOT / addon / "i18n" / "ms.po"))


@pytest.fixture(scope="module")
def template(addon):
    return polib.pofile(str(ROOT / addon / "i18n" / f"{addon}.pot"))


def malay_text(entry):
    """The Malay of an entry: its msgstr, or its msgid when marked the same in Malay."""
    if entry.obsolete or entry.fuzzy:
        return ""
    return entry.msgstr or (entry.msgid if "same in Malay" in entry.tcomment else "")


def test_every_term_of_the_template_has_its_malay(addon, malay, template):
    translated = {entry.msgid: malay_text(entry) for entry in malay}
    missing = [entry.msgid for entry in template if not translated.get(entry.msgid, "").strip()]
    assert len(template) > (600 if addon == "l10n_my_einvoice" else 10)
    assert missing == []


def test_the_malay_file_holds_no_term_the_template_lost(malay, template):
    assert {entry.msgid for entry in malay if not entry.obsolete} == {entry.msgid for entry in template}


def test_a_translation_keeps_placeholders_tags_and_line_breaks(malay):
    broken = []
    for entry in (entry for entry in malay if entry.msgstr):
        for what, pattern in (("placeholders", PLACEHOLDER), ("tags", TAG)):
            if collections.Counter(pattern.findall(entry.msgid)) != collections.Counter(pattern.findall(entry.msgstr)):
                broken.append((what, entry.msgid[:60]))
        if entry.msgid.count("\n") != entry.msgstr.count("\n"):
            broken.append(("line breaks", entry.msgid[:60]))
    assert broken == []


def test_the_malay_is_malay(malay):
    """Codes and names stay as they are; everything else is translated, not copied."""
    same = [entry.msgid for entry in malay if not entry.msgstr and "same in Malay" in entry.tcomment]
    assert [msgid for msgid in same if re.search(r"[a-z]{4,} [a-z]{3,}", TAG.sub("", msgid))] == []
    assert len(same) < 40
    header = malay.metadata
    assert header["Language"] == "ms" and "nplurals=1" in header["Plural-Forms"]

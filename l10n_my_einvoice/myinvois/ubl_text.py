"""The UBL text writer's parts: escaping as lxml escapes, basic elements as
text, aggregates as lists rendered once (ubl.py builds the document with them).

Writing the text directly gives the bytes lxml writes for the same tree, at a
fraction of the cost of one lxml element per node; and, since attributes are
written sorted and blank texts as empty elements, a text that
signing_direct.py can hash as written (it is its own inclusive C14N).
"""

import re

from .document import money


def number(value):
    """A Decimal as plain text, exactly as given (4.2150 stays 4.2150), never in
    scientific notation (LHDN refuses it)."""
    return format(value, "f")


def amount_text(value):
    return format(money(value), "f")


# What lxml's serialiser escapes, so the bytes are the ones it would write; and what
# it refuses (C0 controls but tab, newline and carriage return).
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
NOT_XML_BYTES = bytes(set(range(32)) - {9, 10, 13})  # in UTF-8 these bytes are those characters
NOT_XML_MESSAGE = "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"


def escape_text(value):
    """Element text as lxml writes it (control characters are refused once, on
    the whole document, by unsigned_bytes)."""
    if value.__class__ is not str:
        raise TypeError(f"Argument must be bytes or unicode, got '{type(value).__name__}'")
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        return value.translate(_TEXT_ESCAPES)
    return value


def has_control_characters(text):
    """True when ``text`` holds a character XML 1.0 cannot carry (lxml refuses it)."""
    return _NOT_XML.search(text) is not None


def escape_attribute(value):
    if value.__class__ is not str:
        raise TypeError(f"Argument must be bytes or unicode, got '{type(value).__name__}'")
    if _ATTRIBUTE_SPECIAL.search(value):
        return value.translate(_ATTRIBUTE_ESCAPES)
    return value


def render(node, out):
    """An aggregate element being written is a list: its start tag's content,
    then its children, as written text (basic elements) or further aggregates."""
    start = node[0]
    if len(node) == 1:
        out.append(f"<{start}/>")
        return
    out.append(f"<{start}>")
    for child in node[1:]:
        if child.__class__ is str:
            out.append(child)
        else:
            render(child, out)
    out.append(f"</{start.partition(' ')[0]}>")


def basic(tag, text, attributes=""):
    """A basic (cbc) element as text; ``attributes`` is written as given. A blank
    text is written as none: signing drops whitespace-only text (reference §7.4
    step 3), so the unsigned text is already what will be hashed."""
    if text is None or (text.__class__ is str and not text.strip()):
        return f"<cbc:{tag}{attributes}/>"
    return f"<cbc:{tag}{attributes}>{escape_text(text)}</cbc:{tag}>"


def attributes_text(attributes):
    """Given attributes that have a value, sorted by name (C14N's order)."""
    if len(attributes) > 1:
        attributes = dict(sorted(attributes.items()))
    return "".join(f' {key}="{escape_attribute(value)}"' for key, value in attributes.items() if value)


class Writer:
    """Writes the minified UBL text directly, byte for byte what lxml writes for
    the same tree, at a fraction of the cost of one lxml element per node (the
    builder runs for every document). Basic elements become text at once; the
    parts written for every line (lines, taxes, totals) are written as text
    whole, a few calls per line instead of one per element."""

    def __init__(self, currency):
        self.currency_attribute = attributes_text({"currencyID": currency})
        self._currency = f' currencyID="{escape_attribute(currency)}">'

    @staticmethod
    def cbc(parent, tag, text, **attributes):
        parent.append(basic(tag, text, attributes_text(attributes) if attributes else ""))

    @staticmethod
    def cac(parent, tag):
        element = ["cac:" + tag]
        parent.append(element)
        return element

    def amount(self, parent, tag, value):
        parent.append(self.amount_text(tag, value))

    def amount_text(self, tag, value):
        return f"<cbc:{tag}{self._currency}{amount_text(value)}</cbc:{tag}>"

"""The validation link of a Valid document and its QR code (reference §3.6):
``{portal}/{uuid}/share/{longId}``, printed on the invoice so the buyer can check it."""

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from . import environments


def validation_link(environment, uuid, long_id, custom_url=None):
    if not (uuid and long_id):
        raise ValueError("a validation link needs the document's UUID and longId (it exists once Valid)")
    return environments.validation_link(environment, uuid, long_id, custom_url)


def qr_png(url, box_size=4, border=2):
    """PNG bytes of a QR code for ``url`` (qrcode's Pillow or PyPNG image factory)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()

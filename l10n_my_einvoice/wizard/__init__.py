from . import cancel_einvoice, certificate_upload

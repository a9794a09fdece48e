from . import cancel_einvoice, certificate_upload, consolidate_now, reject_received

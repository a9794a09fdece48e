from . import certificate_upload

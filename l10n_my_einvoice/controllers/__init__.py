from . import portal_requests, request_portal

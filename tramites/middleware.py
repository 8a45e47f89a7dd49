"""Response headers Django does not set by itself."""
from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path.startswith("/personal/") or getattr(response, "privado", False):
            # Staff pages and personal documents must not be kept by shared caches.
            response["Cache-Control"] = "private, no-store"
        return response

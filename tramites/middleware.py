"""Response headers Django does not set by itself."""
from django.conf import settings

# Public pages that never show anyone's data when fetched with GET: the only ones a browser may keep.
# Every other answer (a case, a confirmation, a receipt, a complaint, a form sent back with what the
# citizen typed, any staff page) gets Cache-Control: no-store.
SIN_DATOS_PERSONALES = frozenset(
    {"/", "/privacidad/", "/solicitud/", "/consulta/", "/quejas/nueva/", "/verificar/", "/transparencia/"}
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # OWASP secure headers: no cross-origin page may embed our responses (images, PDFs, JSON), and
        # no Flash/Acrobat cross-domain policy applies.
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("X-Permitted-Cross-Domain-Policies", "none")
        if request.path.startswith("/personal/") or getattr(response, "privado", False):
            # Staff pages and personal documents must not be kept by shared caches.
            response["Cache-Control"] = "private, no-store"
        elif request.method not in ("GET", "HEAD") or request.path_info not in SIN_DATOS_PERSONALES:
            # A view that chose its own caching (the public transparency CSV) keeps it.
            response.setdefault("Cache-Control", "private, no-store")
        return response


class ProxyIPMiddleware:
    """Behind TRUSTED_PROXY_COUNT reverse proxies, the client is the address they saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so the
    client is the N-th entry from the right; anything further left was written by the client and is
    not trusted. Rewriting REMOTE_ADDR once here makes the rate limits, the login lock-out and the
    audit trail all see the citizen instead of the proxy.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.saltos = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.saltos > 0:
            cadena = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
            if len(cadena) >= self.saltos:
                request.META["REMOTE_ADDR"] = cadena[-self.saltos]
        return self.get_response(request)

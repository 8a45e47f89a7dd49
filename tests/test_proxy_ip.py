"""Behind a reverse proxy, rate limits and the audit trail see the citizen's address, not the proxy's."""
import pytest
from django.test import override_settings


@pytest.mark.parametrize(
    ("saltos", "cabecera", "esperada"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy configured: the header is the client's word, ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged left part is not trusted
        (2, "203.0.113.9, 10.0.0.2", "203.0.113.9"),
    ],
)
def test_direccion_del_cliente(rf, saltos, cabecera, esperada):
    from tramites.middleware import ProxyIPMiddleware

    visto = {}

    def vista(request):
        visto["ip"] = request.META["REMOTE_ADDR"]

    with override_settings(TRUSTED_PROXY_COUNT=saltos):
        ProxyIPMiddleware(vista)(rf.get("/", HTTP_X_FORWARDED_FOR=cabecera, REMOTE_ADDR="127.0.0.1"))
    assert visto["ip"] == esperada


def test_el_limite_de_consultas_es_por_ciudadano_detras_del_proxy(client, db, settings):
    settings.RATELIMIT_CONSULTA = "2/10m"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        from django.test import Client

        c = Client()
        datos = {"referencia": "x", "identificacion": "y"}
        for _ in range(2):
            c.post("/consulta/", datos, HTTP_X_FORWARDED_FOR="198.51.100.1")
        bloqueado = c.post("/consulta/", datos, HTTP_X_FORWARDED_FOR="198.51.100.1")
        otro = c.post("/consulta/", datos, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert bloqueado.status_code == 429
    assert otro.status_code == 200

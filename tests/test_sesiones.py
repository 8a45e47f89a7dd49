"""Sessions: a new one is inserted without a look-up first, and a key that is taken is never reused."""
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tramites import sesiones


@pytest.mark.django_db
def test_una_clave_ocupada_no_se_reutiliza(monkeypatch):
    otra = sesiones.SessionStore()
    otra["dueno"] = "otra persona"
    otra.create()
    claves = iter([otra.session_key, "b" * 32])
    monkeypatch.setattr(sesiones, "get_random_string", lambda *a: next(claves))
    nueva = sesiones.SessionStore()
    nueva["tramites_autorizados"] = [1]
    nueva.create()
    assert nueva.session_key == "b" * 32
    # The first session is untouched.
    assert sesiones.SessionStore(otra.session_key).load() == {"dueno": "otra persona"}
    assert Session.objects.count() == 2


@pytest.mark.django_db
def test_crear_una_sesion_no_consulta_antes_de_insertar():
    with CaptureQueriesContext(connection) as consultas:
        sesiones.SessionStore().create()
    assert not any(q["sql"].upper().startswith("SELECT") for q in consultas.captured_queries)

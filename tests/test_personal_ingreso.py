"""Staff login: lockout after repeated failures (django-axes), Argon2, session expiry, the TOTP step
that REQUIRE_TOTP demands, and audit rows for each login."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tramites.management import demo
from tramites.models import EventoAuditoria

LOGIN = "/personal/login/"


def _ingresar(c: Client, username: str, password: str, **extra):
    return c.post(LOGIN, {"username": username, "password": password, **extra})


def _sin_espera(dispositivo: TOTPDevice) -> None:
    """A wrong code starts the device's throttle (1 s, doubling); tests do not sleep it out."""
    dispositivo.refresh_from_db()
    dispositivo.throttling_failure_count = 0
    dispositivo.throttling_failure_timestamp = None
    dispositivo.save()


def _codigo(dispositivo: TOTPDevice) -> str:
    totp = TOTP(dispositivo.bin_key, dispositivo.step, dispositivo.t0, dispositivo.digits, dispositivo.drift)
    return f"{totp.token():0{dispositivo.digits}d}"


@pytest.mark.django_db(transaction=True)
def test_ingreso_correcto_lleva_a_la_bandeja_y_queda_auditado(personal):
    c = Client()
    r = _ingresar(c, "analista.pichincha", demo.DEMO_PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/personal/"
    assert c.get("/personal/").status_code == 200
    assert EventoAuditoria.objects.filter(accion="ingreso", usuario="analista.pichincha").count() == 1


@pytest.mark.django_db(transaction=True)
def test_contrasena_incorrecta_se_rechaza_y_se_audita(personal):
    c = Client()
    r = _ingresar(c, "analista.pichincha", "no-es-la-clave")
    assert r.status_code == 200
    assert "Usuario o contraseña incorrectos" in r.content.decode()
    assert c.get("/personal/").status_code == 302
    assert EventoAuditoria.objects.filter(accion="ingreso_fallido", objeto="analista.pichincha").count() == 1


@pytest.mark.django_db(transaction=True)
def test_bloqueo_tras_el_limite_de_intentos_incluso_con_la_clave_correcta(personal):
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _ingresar(c, "analista.pichincha", "mala-clave-123").status_code == 200
    r = _ingresar(c, "analista.pichincha", "mala-clave-123")
    assert r.status_code == 429
    assert "Cuenta bloqueada temporalmente" in r.content.decode()
    r = _ingresar(c, "analista.pichincha", demo.DEMO_PASSWORD)
    assert r.status_code == 429
    assert c.get("/personal/").status_code == 302  # still not logged in
    # Another user from the same address is not locked (lockout is per user name and address).
    assert _ingresar(Client(), "director.pichincha", demo.DEMO_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_contrasenas_con_argon2_y_sesion_que_caduca(personal):
    assert identify_hasher(personal["analista.pichincha"].password).algorithm == "argon2"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600


@pytest.mark.django_db
def test_salir_cierra_la_sesion(personal):
    c = Client()
    _ingresar(c, "analista.pichincha", demo.DEMO_PASSWORD)
    assert c.post("/personal/salir/").status_code == 302
    assert c.get("/personal/").status_code == 302


@pytest.mark.django_db
def test_un_usuario_sin_rol_del_personal_recibe_403(personal):
    c = Client()
    c.force_login(personal["admin"])  # Django admin only: no staff role
    assert c.get("/personal/").status_code == 403


# --- the second factor ------------------------------------------------------------------------------


@pytest.fixture
def con_totp(settings):
    settings.REQUIRE_TOTP = True


@pytest.mark.django_db(transaction=True)
def test_con_totp_obligatorio_el_primer_ingreso_registra_el_dispositivo(personal, con_totp):
    """With the administrator's enrolment link (tests/test_acceso.py: never without it)."""
    import re

    from django.core import mail

    from tramites.acceso import services

    services.enlace_registro_enviar(usuario=personal["analista.pichincha"])
    c = Client()
    c.get(re.search(r"https?://[^/\s]+(/personal/acceso/[^\s]+/)", mail.outbox[-1].body).group(1))
    r = _ingresar(c, "analista.pichincha", demo.DEMO_PASSWORD)
    assert r.status_code == 302 and r["Location"].startswith("/personal/login/totp/")
    # Without the second factor, the staff pages send back to it.
    r = c.get("/personal/")
    assert r.status_code == 302 and r["Location"].startswith("/personal/login/totp/")
    r = c.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith("/personal/login/totp/registrar/")
    r = c.get(r["Location"])
    pagina = r.content.decode()
    assert "<svg" in pagina and "otpauth://totp/" in pagina
    assert "<script" not in pagina.split("<main", 1)[1].split("</main>", 1)[0]
    dispositivo = TOTPDevice.objects.get(user=personal["analista.pichincha"])
    assert not dispositivo.confirmed

    r = c.post("/personal/login/totp/registrar/", {"codigo": "000000", "next": "/personal/"})
    assert r.status_code == 200 and "El código no es correcto" in r.content.decode()
    r = c.post("/personal/login/totp/registrar/", {"codigo": _codigo(dispositivo), "next": "/personal/"})
    assert r.status_code == 200 and "Demasiados intentos" in r.content.decode()  # throttled right after
    _sin_espera(dispositivo)
    r = c.post("/personal/login/totp/registrar/", {"codigo": _codigo(dispositivo), "next": "/personal/"})
    assert r.status_code == 302 and r["Location"] == "/personal/"
    assert c.get("/personal/").status_code == 200
    dispositivo.refresh_from_db()
    assert dispositivo.confirmed
    assert EventoAuditoria.objects.filter(accion="totp_registrado", usuario="analista.pichincha").exists()


@pytest.mark.django_db(transaction=True)
def test_con_totp_obligatorio_el_codigo_correcto_abre_y_el_incorrecto_no(personal, con_totp):
    usuario = personal["director.guayas"]
    dispositivo = TOTPDevice.objects.create(user=usuario, name="app", confirmed=True)
    c = Client()
    _ingresar(c, "director.guayas", demo.DEMO_PASSWORD)
    r = c.post("/personal/login/totp/", {"codigo": "123456", "next": "/personal/"})
    assert r.status_code == 200 and "El código no es correcto" in r.content.decode()
    assert c.get("/personal/").status_code == 302
    _sin_espera(dispositivo)
    r = c.post("/personal/login/totp/", {"codigo": _codigo(dispositivo), "next": "/personal/"})
    assert r.status_code == 302
    assert c.get("/personal/").status_code == 200
    # A user with a confirmed device cannot enrol a second one after the password alone.
    c2 = Client()
    _ingresar(c2, "director.guayas", demo.DEMO_PASSWORD)
    r = c2.get("/personal/login/totp/registrar/")
    assert r.status_code == 302 and r["Location"].startswith("/personal/login/totp/?")
    assert TOTPDevice.objects.filter(user=usuario).count() == 1


@pytest.mark.django_db
def test_sin_totp_obligatorio_la_demo_entra_solo_con_contrasena(personal, settings):
    settings.REQUIRE_TOTP = False
    c = Client()
    r = _ingresar(c, "analista.pichincha", demo.DEMO_PASSWORD)
    assert r["Location"] == "/personal/"
    assert c.get("/personal/").status_code == 200

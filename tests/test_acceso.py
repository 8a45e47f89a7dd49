"""One login policy everywhere (issue 14, point 1): the admin behind the same login and second factor,
TOTP secrets never shown again, enrolment only through a single-use link e-mailed by an administrator,
staff change their own password, an administrator sends a single-use reset link; all audited."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tramites.management import demo
from tramites.models import EventoAuditoria

LOGIN = "/personal/login/"
ENLACE = re.compile(r"https?://[^/\s]+(/personal/acceso/[^\s]+/)")


@pytest.fixture
def con_totp(settings):
    settings.REQUIRE_TOTP = True


def _ingresar(c: Client, username: str, password: str = demo.DEMO_PASSWORD, next_: str = ""):
    datos = {"username": username, "password": password}
    if next_:
        datos["next"] = next_
    return c.post(LOGIN, datos)


def _codigo(d: TOTPDevice) -> str:
    return f"{TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift).token():0{d.digits}d}"


def _sin_espera(d: TOTPDevice) -> None:
    d.refresh_from_db()
    d.throttling_failure_count = 0
    d.throttling_failure_timestamp = None
    d.save()


def _acciones(usuario) -> list[str]:
    return list(EventoAuditoria.objects.filter(objeto=usuario).values_list("accion", flat=True))


def _admin_verificado(personal) -> Client:
    admin = personal["admin"]
    d = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    c = Client()
    _ingresar(c, "admin")
    _sin_espera(d)
    assert c.post("/personal/login/totp/", {"codigo": _codigo(d), "next": "/admin/"}).status_code == 302
    return c


@pytest.mark.django_db
def test_el_admin_exige_el_segundo_factor(personal, con_totp):
    c = Client()
    # The admin's own login page is the staff login.
    r = c.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    # Password alone: the admin is still closed, the TOTP step is asked.
    _ingresar(c, "admin", next_="/admin/")
    r = c.get("/admin/")
    assert r.status_code == 302
    r = c.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/personal/login/totp/")
    assert c.get("/admin/auth/user/").status_code == 302
    # With the second factor confirmed, it opens.
    c = _admin_verificado(personal)
    assert c.get("/admin/").status_code == 200
    assert c.get("/admin/auth/user/").status_code == 200


@pytest.mark.django_db
def test_sin_totp_obligatorio_el_admin_entra_con_la_contrasena(personal, settings):
    settings.REQUIRE_TOTP = False
    c = Client()
    r = _ingresar(c, "admin", next_="/admin/")
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert c.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_el_admin_no_muestra_ni_crea_secretos_totp(personal, con_totp):
    analista = personal["analista.pichincha"]
    d = TOTPDevice.objects.create(user=analista, name="app", confirmed=True)
    c = _admin_verificado(personal)
    html = c.get(f"/admin/otp_totp/totpdevice/{d.pk}/change/").content.decode()
    assert d.key not in html and d.key.upper() not in html and "otpauth://" not in html
    assert c.get(f"/admin/otp_totp/totpdevice/{d.pk}/config/").status_code == 403
    assert c.get(f"/admin/otp_totp/totpdevice/{d.pk}/qrcode/").status_code == 403
    assert c.get("/admin/otp_totp/totpdevice/add/").status_code == 403


@pytest.mark.django_db
def test_la_contrasena_sola_no_registra_un_autenticador(personal, con_totp):
    c = Client()
    _ingresar(c, "analista.pichincha")
    r = c.get("/personal/login/totp/", follow=True)
    pagina = r.content.decode()
    assert "Falta registrar la verificación en dos pasos" in pagina and "otpauth://" not in pagina
    r = c.get("/personal/login/totp/registrar/")
    assert "otpauth://" not in r.content.decode()
    assert not TOTPDevice.objects.filter(user=personal["analista.pichincha"]).exists()
    assert c.get("/personal/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_registro_con_el_enlace_del_administrador(personal, con_totp):
    analista = personal["analista.pichincha"]
    viejo = TOTPDevice.objects.create(user=analista, name="teléfono perdido", confirmed=True)
    admin = _admin_verificado(personal)
    r = admin.post("/admin/auth/user/", {"action": "enviar_enlace_registro", "_selected_action": [analista.pk]})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(pk=viejo.pk).exists()  # the lost phone no longer opens anything
    correo = mail.outbox[-1]
    assert correo.to == [analista.email]
    ruta = ENLACE.search(correo.body).group(1)

    c = Client()
    r = c.get(ruta)
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    r = _ingresar(c, "analista.pichincha", next_="/personal/login/totp/registrar/")
    r = c.get("/personal/login/totp/registrar/")
    assert "otpauth://totp/" in r.content.decode()
    d = TOTPDevice.objects.get(user=analista)
    _sin_espera(d)
    r = c.post("/personal/login/totp/registrar/", {"codigo": _codigo(d), "next": "/personal/"})
    assert r.status_code == 302 and r["Location"] == "/personal/"
    assert c.get("/personal/").status_code == 200
    # Single use: the same link no longer works, not even for its owner.
    otro = Client()
    r = otro.get(ruta)
    assert r.status_code == 404 and "ya no es válido" in r.content.decode()
    acciones = _acciones("analista.pichincha")
    for accion in ("enlace_registro_enviado", "enlace_registro_abierto", "totp_registrado", "enlace_registro_rechazado"):
        assert accion in acciones, accion
    assert EventoAuditoria.objects.get(accion="enlace_registro_enviado").usuario == "admin"


@pytest.mark.django_db
def test_el_enlace_de_registro_caduca(personal, con_totp, settings):
    from tramites.acceso import services

    analista = personal["analista.guayas"]
    services.enlace_registro_enviar(usuario=analista)
    ruta = ENLACE.search(mail.outbox[-1].body).group(1)
    token = ruta.rstrip("/").rsplit("/", 1)[1]
    assert services.token_registro.check_token(analista, token)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is now older than its lifetime
    assert not services.token_registro.check_token(analista, token)
    assert Client().get(ruta).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_el_personal_cambia_su_contrasena(personal):
    c = Client()
    _ingresar(c, "director.guayas")
    r = c.post("/personal/contrasena/", {"old_password": demo.DEMO_PASSWORD,
                                          "new_password1": "Otra-Clave-Segura-2027",
                                          "new_password2": "Otra-Clave-Segura-2027"})  # fmt: skip
    assert r.status_code == 302
    assert c.get("/personal/").status_code == 200  # this session stays open
    assert _ingresar(Client(), "director.guayas").status_code == 200  # the old password is refused
    assert _ingresar(Client(), "director.guayas", "Otra-Clave-Segura-2027").status_code == 302
    assert "contrasena_cambiada" in _acciones("director.guayas")
    # A weak password is refused with the validators' message.
    r = c.post("/personal/contrasena/", {"old_password": "Otra-Clave-Segura-2027",
                                          "new_password1": "123456789012", "new_password2": "123456789012"})  # fmt: skip
    assert r.status_code == 200 and "numérica" in r.content.decode()
    assert _ingresar(Client(), "director.guayas", "Otra-Clave-Segura-2027").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_el_administrador_envia_un_enlace_para_restablecer_la_contrasena(personal, settings):
    settings.REQUIRE_TOTP = False
    evaluador = personal["evaluador.pichincha"]
    admin = Client()
    admin.force_login(personal["admin"])
    r = admin.post("/admin/auth/user/", {"action": "enviar_enlace_contrasena", "_selected_action": [evaluador.pk]})
    assert r.status_code == 302
    ruta = ENLACE.search(mail.outbox[-1].body).group(1)
    c = Client()
    r = c.get(ruta)
    assert r.status_code == 302  # Django's view moves the token out of the address
    formulario = r["Location"]
    r = c.post(formulario, {"new_password1": "Nueva-Clave-Evaluadora-9", "new_password2": "Nueva-Clave-Evaluadora-9"})
    assert r.status_code == 302 and r["Location"] == LOGIN
    assert _ingresar(Client(), "evaluador.pichincha", "Nueva-Clave-Evaluadora-9").status_code == 302
    # Single use.
    r = Client().get(ruta, follow=True)
    assert "ya no es válido" in r.content.decode()
    acciones = _acciones("evaluador.pichincha")
    assert "enlace_contrasena_enviado" in acciones and "contrasena_restablecida" in acciones


@pytest.mark.django_db(transaction=True)
def test_salir_borra_los_datos_del_sitio_en_el_navegador(personal):
    c = Client()
    c.force_login(personal["analista.pichincha"])
    r = c.post("/personal/salir/")
    assert r.status_code == 302
    assert r["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "salida" in list(EventoAuditoria.objects.values_list("accion", flat=True))


@pytest.mark.django_db(transaction=True)
def test_enlace_por_consola_para_el_primer_administrador(personal):
    from django.core.management import call_command

    call_command("enlace_acceso", "admin")
    assert mail.outbox[-1].to == ["admin@iess.gob.ec"] and ENLACE.search(mail.outbox[-1].body)
    assert EventoAuditoria.objects.filter(accion="enlace_registro_enviado", objeto="admin").exists()


@pytest.mark.django_db(transaction=True)
def test_los_cambios_de_cuentas_en_el_admin_quedan_en_la_auditoria(personal, settings):
    settings.REQUIRE_TOTP = False
    analista = personal["analista.guayas"]
    d = TOTPDevice.objects.create(user=analista, name="app", confirmed=True)
    admin = Client()
    admin.force_login(personal["admin"])
    r = admin.post(f"/admin/auth/user/{analista.pk}/password/",
                   {"password1": "Fijada-Por-El-Admin-2026", "password2": "Fijada-Por-El-Admin-2026",
                    "usable_password": "true"})  # fmt: skip
    assert r.status_code == 302
    r = admin.post(f"/admin/otp_totp/totpdevice/{d.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not TOTPDevice.objects.filter(pk=d.pk).exists()
    acciones = _acciones("analista.guayas")
    assert "admin_usuario_modificado" in acciones and "admin_totp_borrado" in acciones

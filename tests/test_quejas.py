"""Complaints: the citizen's form (reference, receipt, spam and rate limits) and staff handling."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tramites import auditoria, referencias
from tramites.estados import Estado
from tramites.models import EventoAuditoria, Notificacion, Oficina, Queja, Tramite
from tramites.quejas.forms import marca_tiempo
from tramites.selectors import quejas_visibles

URL = "/quejas/nueva/"


def datos(**cambios) -> dict:
    return {
        "nombres": "  María   José Quispe ",
        "identificacion": "1710034065",
        "correo": "maria@example.com",
        "telefono": "0987654321",
        "provincia": "17",
        "referencia_tramite": "",
        "texto": "Entregué mis documentos hace dos meses y nadie me responde.",
        "sitio_web": "",
        "marca": marca_tiempo(time.time() - 30),
        **cambios,
    }


def caso(provincia: str = "17", **campos) -> Tramite:
    oficina = Oficina.objects.get(provincias__provincia=provincia)
    return Tramite.objects.create(
        referencia=referencias.generar(2026),
        tipo_identificacion="cedula",
        identificacion="1714307103",
        nombres="Rosa",
        apellidos="Guamán",
        correo="rosa@example.com",
        telefono="+593987654321",
        provincia=provincia,
        oficina=oficina,
        estado=Estado.EN_REVISION,
        **campos,
    )


def entrar(usuario: str) -> Client:
    from django.contrib.auth import get_user_model

    cliente = Client()
    cliente.force_login(get_user_model().objects.get(username=usuario))
    return cliente


@pytest.mark.django_db
def test_el_formulario_tiene_los_campos_y_una_trampa_oculta():
    contenido = Client().get(URL).content.decode()
    for nombre in [
        "nombres",
        "identificacion",
        "correo",
        "telefono",
        "provincia",
        "referencia_tramite",
        "texto",
    ]:
        assert f'name="{nombre}"' in contenido
    assert 'class="campo-trampa"' in contenido and 'name="sitio_web"' in contenido
    assert 'name="marca"' in contenido


@pytest.mark.django_db
def test_una_queja_recibe_referencia_acuse_por_correo_y_queda_en_auditoria(
    oficinas, django_capture_on_commit_callbacks
):
    cliente = Client()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente.post(URL, datos())
    auditoria.flush()
    queja = Queja.objects.get()
    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("publico:queja_enviada", args=[queja.referencia])
    assert queja.referencia.startswith("Q-2026-") or queja.referencia.startswith("Q-")
    assert referencias.normalizar(queja.referencia, prefijo="Q-") == queja.referencia
    assert queja.nombres == "María José Quispe"
    assert queja.telefono == "+593987654321"
    assert queja.estado == Queja.EstadoQueja.RECIBIDA and queja.tramite is None
    confirmacion = cliente.get(respuesta["Location"])
    assert queja.referencia in confirmacion.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["maria@example.com"]
    assert queja.referencia in mail.outbox[0].subject and queja.referencia in mail.outbox[0].body
    assert Notificacion.objects.get(queja=queja).estado == Notificacion.EstadoEnvio.ENVIADO
    auditoria.flush()  # the test's own transaction keeps the middleware from writing the held events
    assert EventoAuditoria.objects.filter(accion="queja_recibida", objeto=queja.referencia).exists()
    # Another browser cannot open the receipt page.
    assert Client().get(respuesta["Location"]).status_code == 404


@pytest.mark.django_db
def test_la_referencia_del_tramite_se_comprueba_y_vincula(oficinas, settings):
    """A complaint about a case needs its reference and the request's identification number; a
    wrong number and an unknown reference get the same answer (the form is no oracle of references)."""
    settings.RATELIMIT_ENABLE = False  # seven posts from one address (the limit has its own test)
    tramite = caso()
    cliente = Client()
    r = cliente.post(URL, datos(referencia_tramite=tramite.referencia.lower().replace("-", " "),
                                identificacion=tramite.identificacion))  # fmt: skip
    assert r.status_code == 302
    assert Queja.objects.get().tramite == tramite
    # A malformed reference is refused with a plain message.
    r = cliente.post(URL, datos(referencia_tramite="2026-AAAA-BBBB-Z", identificacion=tramite.identificacion))
    assert "La referencia no es válida" in r.content.decode()
    # The reference alone is not enough.
    r = cliente.post(URL, datos(referencia_tramite=tramite.referencia, identificacion=""))
    assert "escriba el número de identificación" in r.content.decode()
    # Right reference with another person's number, and a reference that does not exist: one answer.
    ajeno = cliente.post(URL, datos(referencia_tramite=tramite.referencia, identificacion="1710034065"))
    inexistente = cliente.post(URL, datos(referencia_tramite=referencias.generar(2026), identificacion="1710034065"))
    assert ajeno.status_code == inexistente.status_code == 200
    assert "No encontramos una solicitud con esa referencia y ese número de identificación" in ajeno.content.decode()
    errores = [re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', r.content.decode(), re.S)
               for r in (ajeno, inexistente)]  # fmt: skip
    assert errores[0] == errores[1] and errores[0]
    assert Queja.objects.count() == 1
    # Without a reference the complaint is a general one.
    r = cliente.post(URL, datos(identificacion=""))
    assert r.status_code == 302 and Queja.objects.latest("pk").tramite is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cambios", "mensaje"),
    [
        ({"sitio_web": "http://spam.example"}, "No pudimos recibir su queja"),
        ({"marca": marca_tiempo(time.time() + 3600)}, "demasiado rápido"),
        ({"marca": "manipulada"}, "no es válido o caducó"),
        ({"marca": marca_tiempo(time.time() - 5 * 3600)}, "caducó"),
        ({"texto": "Vean http://a.example y http://b.example y www.c.example"}, "más de 2 enlaces"),
        ({"identificacion": "1710034064"}, "El número de cédula no es válido"),
    ],
    ids=["trampa", "rapido", "marca-falsa", "marca-vieja", "enlaces", "cedula"],
)
def test_el_spam_y_los_datos_malos_no_crean_queja(oficinas, cambios, mensaje):
    r = Client().post(URL, datos(**cambios))
    assert r.status_code == 200
    assert mensaje in r.content.decode()
    assert not Queja.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_el_limite_de_envios_por_ip_responde_429(oficinas, settings):
    settings.RATELIMIT_QUEJAS = "2/h"
    cliente = Client()
    assert cliente.post(URL, datos()).status_code == 302
    assert cliente.post(URL, datos(texto="x")).status_code == 200  # invalid attempts count too
    r = cliente.post(URL, datos())
    assert r.status_code == 429
    assert "Demasiados intentos" in r.content.decode()
    assert Queja.objects.count() == 1


# --- staff -------------------------------------------------------------------------------------


@pytest.fixture
def quejas(personal):
    pichincha = caso("17")
    guayas = caso("09")
    return {
        "pichincha": Queja.objects.create(
            referencia=referencias.generar(2026, prefijo="Q-"),
            nombres="A",
            correo="a@example.com",
            provincia="17",
            texto="Sobre Pichincha",
            tramite=pichincha,
        ),
        "guayas": Queja.objects.create(
            referencia=referencias.generar(2026, prefijo="Q-"),
            nombres="B",
            correo="b@example.com",
            provincia="09",
            texto="Sobre Guayas",
            tramite=guayas,
        ),
        "suelta": Queja.objects.create(
            referencia=referencias.generar(2026, prefijo="Q-"),
            nombres="C",
            correo="c@example.com",
            provincia="17",
            texto="Sin trámite",
        ),
    }


@pytest.mark.django_db
def test_el_supervisor_ve_todas_y_una_oficina_solo_las_de_sus_casos(personal, quejas):
    assert set(quejas_visibles(usuario=personal["supervisor.nacional"])) == set(quejas.values())
    assert list(quejas_visibles(usuario=personal["director.pichincha"])) == [quejas["pichincha"]]
    assert list(quejas_visibles(usuario=personal["analista.guayas"])) == [quejas["guayas"]]
    assert not quejas_visibles(usuario=personal["evaluador.pichincha"]).exists()

    lista = entrar("director.pichincha").get(reverse("personal:quejas")).content.decode()
    assert quejas["pichincha"].referencia in lista
    assert quejas["guayas"].referencia not in lista and quejas["suelta"].referencia not in lista
    cliente = entrar("director.guayas")
    assert (
        cliente.get(reverse("personal:queja_detalle", args=[quejas["pichincha"].referencia])).status_code
        == 404
    )
    assert (
        cliente.post(reverse("personal:queja_tomar", args=[quejas["pichincha"].referencia])).status_code
        == 404
    )
    assert entrar("ventanilla.pichincha").get(reverse("personal:quejas")).status_code == 403
    assert Client().get(reverse("personal:quejas")).status_code == 302


@pytest.mark.django_db
def test_recibida_en_proceso_respondida_con_correo_y_auditoria(
    personal, quejas, django_capture_on_commit_callbacks
):
    q = quejas["suelta"]
    cliente = entrar("supervisor.nacional")
    detalle = reverse("personal:queja_detalle", args=[q.referencia])
    assert "Sin trámite" in cliente.get(detalle).content.decode()
    # Answering before taking it is refused.
    r = cliente.post(reverse("personal:queja_responder", args=[q.referencia]), {"respuesta": "Hola"})
    assert r.status_code == 400
    q.refresh_from_db()
    assert q.estado == Queja.EstadoQueja.RECIBIDA

    cliente.post(reverse("personal:queja_tomar", args=[q.referencia]))
    auditoria.flush()  # the test's own transaction keeps the middleware from writing the held events
    q.refresh_from_db()
    assert q.estado == Queja.EstadoQueja.EN_PROCESO
    r = cliente.post(reverse("personal:queja_responder", args=[q.referencia]), {"respuesta": ""})
    assert r.status_code == 400
    texto = "Revisamos su caso: la oficina le llamará esta semana."
    with django_capture_on_commit_callbacks(execute=True):
        r = cliente.post(reverse("personal:queja_responder", args=[q.referencia]), {"respuesta": texto})
    auditoria.flush()
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.estado == Queja.EstadoQueja.RESPONDIDA and q.respuesta == texto and q.respondida_en
    assert mail.outbox[-1].to == ["c@example.com"] and texto in mail.outbox[-1].body
    assert q.referencia in mail.outbox[-1].subject
    assert texto in cliente.get(detalle).content.decode()
    eventos = list(
        EventoAuditoria.objects.filter(objeto=q.referencia)
        .order_by("creado_en", "id")
        .values_list("accion", "usuario")
    )
    assert eventos == [
        ("queja_en_proceso", "supervisor.nacional"),
        ("queja_respondida", "supervisor.nacional"),
    ]
    # An answered complaint cannot be answered again.
    r = cliente.post(reverse("personal:queja_responder", args=[q.referencia]), {"respuesta": "Otra"})
    assert r.status_code == 400
    q.refresh_from_db()
    assert q.respuesta == texto

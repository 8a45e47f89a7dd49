"""Observation and correction: the analyst observes with a reason, the citizen is e-mailed and corrects
online through the same validator chain before the term ends (or a clerk registers it on paper)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import files
from tests.personal_ayudas import archivo, cliente, crear_tramite, en_estado
from tramites.estados import Estado
from tramites.models import Adjunto, HistorialEstado, Notificacion, Observacion
from tramites.plazos import sumar_dias_habiles
from tramites.services import TransicionNoPermitida
from tramites.subsanacion import services as subsanacion
from tramites.tramitacion import services as tramitacion


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    """Argon2 is checked in test_personal_ingreso; here the demo users are hashed fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


MOTIVO = "La foto de la cédula está cortada: suba una foto donde se vea el documento completo."


@pytest.fixture
def en_revision(personal):
    return en_estado(crear_tramite(provincia="17"), Estado.EN_REVISION)


def _observar(personal, tramite):
    return tramitacion.tramite_observar(tramite=tramite, usuario=personal["analista.pichincha"], motivo=MOTIVO)


def _ciudadano(tramite) -> Client:
    c = Client()
    r = c.post("/consulta/", {"referencia": tramite.referencia, "identificacion": tramite.identificacion})
    assert r.status_code == 302
    return c


@pytest.mark.django_db
def test_observar_desde_la_pagina_exige_motivo_y_avisa_al_ciudadano(
    personal, en_revision, django_capture_on_commit_callbacks, settings
):
    c = cliente(personal["analista.pichincha"])
    url = reverse("personal:accion", args=[en_revision.referencia, "observar"])
    r = c.post(url, {"revision-motivo": "  "})
    assert r.status_code == 400 and "Escriba el motivo de la observación." in r.content.decode()
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.EN_REVISION

    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            url,
            {
                "revision-motivo": MOTIVO,
                "revision-documento_legible": "",
                "revision-tipo_firma": "manuscrita",
            },
        )
    assert r.status_code == 302
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.OBSERVADO
    obs = Observacion.objects.get(tramite=en_revision)
    assert obs.vence_el == sumar_dias_habiles(timezone.localdate(), settings.PLAZO_SUBSANACION_DIAS)
    assert obs.motivo == MOTIVO
    nota = en_revision.historial.last().nota
    assert nota.startswith(MOTIVO) and "Documento de identidad legible: No cumple" in nota
    correo = [m for m in mail.outbox if m.to == [en_revision.correo]][-1]
    assert en_revision.referencia in correo.subject
    assert MOTIVO in correo.body and obs.vence_el.strftime("%d/%m/%Y") in correo.body
    assert "/consulta/" in correo.body


@pytest.mark.django_db
def test_el_ciudadano_ve_la_observacion_y_sube_la_correccion(
    personal, en_revision, django_capture_on_commit_callbacks
):
    _observar(personal, en_revision)
    c = _ciudadano(en_revision)
    html = c.get(f"/consulta/{en_revision.referencia}/").content.decode()
    assert MOTIVO in html and "Subir los documentos corregidos" in html

    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            f"/consulta/{en_revision.referencia}/subsanar/",
            {
                "documento": archivo(files.jpeg_documento(), "cedula-completa.jpg"),
                "comentario": "Ahora se ve toda.",
            },
        )
    assert r.status_code == 302
    assert "volvió a revisión" in c.get(r["Location"]).content.decode()
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.EN_REVISION
    nuevo = en_revision.adjuntos.get(tipo=Adjunto.Tipo.SUBSANACION)
    assert nuevo.nombre_original == "cedula-completa.jpg" and nuevo.tipo_contenido == "image/jpeg"
    obs = Observacion.objects.get(tramite=en_revision)
    assert obs.respondida_en is not None and obs.respuesta == "Ahora se ve toda."
    ultima = HistorialEstado.objects.filter(tramite=en_revision).last()
    assert (ultima.estado_anterior, ultima.estado_nuevo, ultima.actor) == (
        Estado.OBSERVADO,
        Estado.EN_REVISION,
        "ciudadano",
    )
    # The analyst is told.
    aviso = Notificacion.objects.filter(
        tramite=en_revision, destinatario=personal["analista.pichincha"].email
    ).last()
    assert aviso is not None and "subsanado" in aviso.asunto
    assert any(m.to == [personal["analista.pichincha"].email] for m in mail.outbox)
    # The analyst sees the new file on the case page.
    html = (
        cliente(personal["analista.pichincha"])
        .get(f"/personal/tramites/{en_revision.referencia}/")
        .content.decode()
    )
    assert "cedula-completa.jpg" in html and "Ahora se ve toda." in html


@pytest.mark.django_db
def test_la_correccion_pasa_por_la_misma_cadena_de_validacion(personal, en_revision):
    _observar(personal, en_revision)
    c = _ciudadano(en_revision)
    r = c.post(
        f"/consulta/{en_revision.referencia}/subsanar/",
        {"documento": archivo(files.jpeg_borroso(), "foto.jpg")},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "borrosa" in html and "Hay 1 problema en el formulario" in html
    r = c.post(
        f"/consulta/{en_revision.referencia}/subsanar/",
        {"documento": archivo(files.png_documento(), "foto.png")},
    )
    assert r.status_code == 400
    r = c.post(f"/consulta/{en_revision.referencia}/subsanar/", {"comentario": "sin archivo"})
    assert r.status_code == 400 and "Adjunte el documento corregido" in r.content.decode()
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.OBSERVADO
    assert not en_revision.adjuntos.filter(tipo=Adjunto.Tipo.SUBSANACION).exists()


@pytest.mark.django_db
def test_despues_del_plazo_la_correccion_se_rechaza_con_un_mensaje_claro(personal, en_revision):
    obs = _observar(personal, en_revision)
    Observacion.objects.filter(pk=obs.pk).update(vence_el=timezone.localdate() - timedelta(days=1))
    c = _ciudadano(en_revision)
    html = c.get(f"/consulta/{en_revision.referencia}/").content.decode()
    assert "ya no se pueden subir documentos" in html and "Subir los documentos corregidos" not in html
    r = c.post(
        f"/consulta/{en_revision.referencia}/subsanar/",
        {"documento": archivo(files.jpeg_documento(), "c.jpg")},
    )
    assert r.status_code == 302
    assert "El plazo para subsanar venció" in c.get(r["Location"]).content.decode()
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.OBSERVADO
    assert not en_revision.adjuntos.filter(tipo=Adjunto.Tipo.SUBSANACION).exists()


@pytest.mark.django_db
def test_el_ultimo_dia_del_plazo_todavia_se_acepta(personal, en_revision):
    obs = _observar(personal, en_revision)
    Observacion.objects.filter(pk=obs.pk).update(vence_el=timezone.localdate())
    f = archivo(files.jpeg_documento(), "c.jpg")
    from tramites.validators import validar_adjunto

    subsanacion.tramite_subsanar(tramite=en_revision, archivos=[(f, validar_adjunto(f))])
    assert en_revision.estado == Estado.EN_REVISION


@pytest.mark.django_db
def test_sin_haber_consultado_el_tramite_no_se_puede_subir(personal, en_revision):
    _observar(personal, en_revision)
    r = Client().post(
        f"/consulta/{en_revision.referencia}/subsanar/",
        {"documento": archivo(files.jpeg_documento(), "c.jpg")},
    )
    assert r.status_code == 404
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.OBSERVADO


@pytest.mark.django_db
def test_sin_observacion_pendiente_no_hay_subsanacion(personal, en_revision):
    f = archivo(files.jpeg_documento(), "c.jpg")
    from tramites.validators import validar_adjunto

    with pytest.raises(TransicionNoPermitida):
        subsanacion.tramite_subsanar(tramite=en_revision, archivos=[(f, validar_adjunto(f))])
    assert not Adjunto.objects.filter(tipo=Adjunto.Tipo.SUBSANACION).exists()


@pytest.mark.django_db
def test_la_ventanilla_registra_una_subsanacion_en_papel(personal, en_revision):
    _observar(personal, en_revision)
    # The analyst has no correction form; the clerk of the office does.
    assert "Registrar la subsanación" not in (
        cliente(personal["analista.pichincha"])
        .get(f"/personal/tramites/{en_revision.referencia}/")
        .content.decode()
    )
    c = cliente(personal["ventanilla.pichincha"])
    assert (
        "Registrar la subsanación" in c.get(f"/personal/tramites/{en_revision.referencia}/").content.decode()
    )
    r = c.post(
        f"/personal/tramites/{en_revision.referencia}/subsanar/",
        {
            "subsanar-documento": archivo(files.pdf_solicitud(), "solicitud-corregida.pdf"),
            "subsanar-comentario": "",
        },
    )
    assert r.status_code == 302
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.EN_REVISION
    ultima = HistorialEstado.objects.filter(tramite=en_revision).last()
    assert (ultima.actor, ultima.usuario) == ("ventanilla", personal["ventanilla.pichincha"])
    assert (
        en_revision.adjuntos.get(tipo=Adjunto.Tipo.SUBSANACION).subido_por == personal["ventanilla.pichincha"]
    )


# --- the online correction works like the request form (phone photos, held files) --------------------


@pytest.mark.django_db
def test_una_foto_dudosa_en_la_correccion_se_muestra_y_se_envia_solo_al_confirmarla(
    personal, en_revision, django_capture_on_commit_callbacks
):
    _observar(personal, en_revision)
    c = _ciudadano(en_revision)
    url = f"/consulta/{en_revision.referencia}/subsanar/"
    r = c.post(url, {"documento": archivo(files.jpeg_borroso(1.5), "foto-movida.jpg"), "comentario": "Otra foto."})
    assert r.status_code == 400
    html = r.content.decode()
    assert "Revise esta foto antes de enviarla" in html and "La foto se lee bien, enviarla" in html
    assert "Ahora se ve toda." not in html and "Otra foto." in html  # the comment is kept
    miniatura = c.get(f"{url}miniatura/documento/")
    assert miniatura.status_code == 200 and miniatura["Content-Type"] == "image/jpeg"
    assert Client().get(f"{url}miniatura/documento/").status_code == 404  # another browser
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.OBSERVADO
    assert not en_revision.adjuntos.filter(tipo=Adjunto.Tipo.SUBSANACION).exists()

    # Sent again without ticking: the same question, nothing sent.
    r = c.post(url, {"comentario": "Otra foto."})
    assert r.status_code == 400 and "podría no leerse bien" in r.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, {"comentario": "Otra foto.", "confirmar_documento": "on"})
    assert r.status_code == 302
    en_revision.refresh_from_db()
    assert en_revision.estado == Estado.EN_REVISION
    nuevo = en_revision.adjuntos.get(tipo=Adjunto.Tipo.SUBSANACION)
    assert nuevo.nombre_original == "foto-movida.jpg" and "borrosa" in nuevo.advertencia_calidad
    assert nuevo.sesion == ""
    # Nothing is left held for the session, and the held file is the one stored (no copy).
    assert Adjunto.objects.filter(tramite__isnull=True).count() == 0
    assert c.get(f"{url}miniatura/documento/").status_code == 404


@pytest.mark.django_db
def test_un_archivo_aceptado_no_se_vuelve_a_elegir_tras_un_error_del_formulario(
    personal, en_revision, django_capture_on_commit_callbacks
):
    _observar(personal, en_revision)
    c = _ciudadano(en_revision)
    url = f"/consulta/{en_revision.referencia}/subsanar/"
    r = c.post(url, {"documento": archivo(files.jpeg_documento(), "cedula.jpg"), "comentario": "x" * 2001})
    assert r.status_code == 400
    html = r.content.decode()
    assert "cedula.jpg" in html and "No necesita volver a elegirlo" in html

    # A second, better photo replaces the held one; the first is deleted, not kept.
    r = c.post(url, {"documento": archivo(files.jpeg_documento(), "cedula-2.jpg"), "comentario": "x" * 2001})
    assert r.status_code == 400 and "cedula-2.jpg" in r.content.decode()
    assert Adjunto.objects.filter(tramite__isnull=True).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, {"comentario": "Listo."})
    assert r.status_code == 302
    nuevo = en_revision.adjuntos.get(tipo=Adjunto.Tipo.SUBSANACION)
    assert nuevo.nombre_original == "cedula-2.jpg"
    assert not Adjunto.objects.filter(tramite__isnull=True).exists()


@pytest.mark.django_db
def test_la_pagina_de_correccion_prepara_las_fotos_del_telefono_en_el_navegador(personal, en_revision):
    """Large and HEIC photos are converted in the browser here too (static/js/fotos.js, libheif in
    WebAssembly): the page loads the script, marks the inputs, and its CSP lets WebAssembly compile
    (only while it holds the form)."""
    _observar(personal, en_revision)
    c = _ciudadano(en_revision)
    r = c.get(f"/consulta/{en_revision.referencia}/")
    html = r.content.decode()
    assert "js/fotos.js" in html and "data-convertir" in html
    assert "'wasm-unsafe-eval'" in r["Content-Security-Policy"]
    assert "'unsafe-eval'" not in r["Content-Security-Policy"].replace("'wasm-unsafe-eval'", "")
    # A case without an observation has no form, and its page does not need WebAssembly scripts.
    otro = en_estado(crear_tramite(provincia="17"), Estado.EN_REVISION)
    r = _ciudadano(otro).get(f"/consulta/{otro.referencia}/")
    assert "js/fotos.js" not in r.content.decode()
    assert "wasm-unsafe-eval" not in r["Content-Security-Policy"]

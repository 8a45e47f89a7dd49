"""Each hostile kind is refused by the upload gate, cheaply, with its own message; the harmless oddities
of real files are accepted (issue 12, point 5). Worst-case CPU per kind: `python -m bench.hostiles`."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import archivos_hostiles as h
from tests import files
from tramites import validators

MIB = 1_048_576


def _codigo(datos: bytes, nombre: str, **opciones) -> str:
    with pytest.raises(ValidationError) as error:
        validators.validar_adjunto(SimpleUploadedFile(nombre, datos), **opciones)
    return error.value.code


def _acepta(datos: bytes, nombre: str, **opciones):
    return validators.validar_adjunto(SimpleUploadedFile(nombre, datos), **opciones)


# --------------------------------------------------------------------------- JPEG


def test_la_bomba_de_escaneos_se_rechaza_sin_decodificar():
    datos = h.jpeg_bomba_de_escaneos()
    assert len(datos) < MIB
    inicio = time.process_time()
    assert _codigo(datos, "bomba.jpg") == "jpeg_compleja"
    # Refused by counting scans, not by decoding them (the 87 s file of the issue).
    assert time.process_time() - inicio < 0.5


def test_un_jpeg_progresivo_normal_se_acepta():
    assert _acepta(files.jpeg_progresivo(), "foto.jpg").tipo_contenido == "image/jpeg"


@pytest.mark.parametrize(
    "hacer",
    [h.jpeg_zip_despues, h.jpeg_zip_en_app, h.jpeg_zip_tras_relleno],
    ids=["zip-despues", "zip-en-app", "zip-tras-relleno"],
)
def test_jpeg_con_zip_en_cualquier_lugar_se_rechaza(hacer):
    assert _codigo(hacer(), "foto.jpg") == "jpeg_datos_extra"


def test_relleno_nul_despues_del_final_se_tolera():
    assert _acepta(h.jpeg_relleno_nul(), "foto.jpg").tipo_contenido == "image/jpeg"


def test_cabecera_que_declara_demasiados_pixeles_se_rechaza_por_tamano():
    assert _codigo(files.jpeg_bomba(), "foto.jpg") == "jpeg_pixeles"


# --------------------------------------------------------------------------- PDF


def test_xfa_se_rechaza():
    assert _codigo(h.pdf_xfa(), "formulario.pdf") == "pdf_xfa"


@pytest.mark.parametrize("accion", sorted(h.ACCIONES))
def test_acciones_al_abrir_se_rechazan(accion):
    assert _codigo(h.pdf_accion_al_abrir(h.ACCIONES[accion]), "carta.pdf") == "pdf_acciones"


@pytest.mark.parametrize("accion", ["uri", "launch", "submitform"])
def test_acciones_en_aa_se_rechazan(accion):
    assert _codigo(h.pdf_accion_en_aa(h.ACCIONES[accion]), "carta.pdf") == "pdf_acciones"


def test_richmedia_se_rechaza():
    assert _codigo(h.pdf_richmedia(), "carta.pdf") == "pdf_acciones"


def test_un_enlace_web_que_se_abre_solo_al_pulsarlo_se_acepta():
    assert _acepta(h.pdf_enlace_uri(), "carta.pdf").paginas == 1


@pytest.mark.parametrize("hacer", [h.pdf_zip_despues, h.pdf_zip_dentro], ids=["zip-despues", "zip-dentro"])
def test_pdf_con_zip_en_cualquier_lugar_se_rechaza(hacer):
    assert _codigo(hacer(), "carta.pdf") == "pdf_datos_extra"


def test_pdf_en_blanco_se_rechaza_con_su_propio_mensaje():
    with pytest.raises(ValidationError) as error:
        validators.validar_adjunto(SimpleUploadedFile("carta.pdf", h.pdf_en_blanco()))
    assert error.value.code == "pdf_en_blanco"
    assert "en blanco" in " ".join(error.value.messages)


def test_pdf_que_abre_sin_contrasena_se_acepta_tras_revisarlo():
    validado = _acepta(h.pdf_solo_clave_de_propietario(), "carta.pdf")
    assert validado.tipo_contenido == "application/pdf"


def test_pdf_que_pide_contrasena_para_abrir_se_rechaza():
    assert _codigo(files.pdf_cifrado(), "carta.pdf") == "pdf_cifrado"


def test_los_derechos_de_uso_ef_no_son_un_adjunto():
    assert _acepta(h.pdf_derechos_de_uso(), "formulario.pdf").paginas == 1


def test_un_adjunto_de_verdad_se_sigue_rechazando():
    assert _codigo(files.pdf_adjunto(), "carta.pdf") == "pdf_adjuntos"


# --------------------------------------------------------------------------- /verificar/


def test_verificar_rechaza_lo_que_no_es_pdf_por_sus_primeros_bytes():
    datos = h.jpeg_bomba_de_escaneos(6320, 20_000)[: 3 * MIB]
    inicio = time.process_time()
    assert _codigo(datos, "resolucion.pdf", max_bytes=3 * MIB, tipos=(validators.TIPO_PDF,)) == "tipo"
    assert time.process_time() - inicio < 0.1


def test_un_pdf_con_demasiados_objetos_se_rechaza_sin_revisarlos_uno_por_uno():
    assert _codigo(h.pdf_muchos_objetos(20_000), "carta.pdf", max_bytes=3 * MIB) == "pdf_complejo"

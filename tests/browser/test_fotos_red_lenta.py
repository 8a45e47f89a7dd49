"""Phone photos through the real form on a throttled "Fast 3G" connection: a 4.5 MB JPEG and an
iPhone HEIC photo are converted in the browser and the citizen gets the reference."""

import pytest

from tests.browser import red_lenta
from tramites.models import Adjunto, Tramite

pytestmark = pytest.mark.django_db(transaction=True)


def test_foto_grande_y_heic_por_fast_3g_llegan_con_referencia(navegador, live_server, oficinas, tmp_path):
    grande = tmp_path / "IMG_4032.jpg"
    grande.write_bytes(red_lenta.foto_de_telefono(4_500_000))
    heic = tmp_path / "IMG_4033.HEIC"
    heic.write_bytes(red_lenta.foto_heic())
    assert grande.stat().st_size > 4_400_000

    contexto = navegador.new_context(viewport={"width": 412, "height": 915}, locale="es-EC")
    page = contexto.new_page()
    page.set_default_timeout(60_000)
    red_lenta.emular_fast3g(contexto, page)
    page.goto(live_server.url + "/solicitud/")
    red_lenta.llenar_datos(page)
    referencia, _segundos = red_lenta.enviar(page, str(grande), str(heic))
    contexto.close()

    tramite = Tramite.objects.get(referencia=referencia)
    adjuntos = list(Adjunto.objects.filter(tramite=tramite))
    assert len(adjuntos) == 2
    for adjunto in adjuntos:
        assert adjunto.tipo_contenido == "image/jpeg"
        assert adjunto.tamano <= 1_048_576
        assert adjunto.nombre_original.endswith(".jpg")

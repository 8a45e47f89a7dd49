"""A phone on a slow network, for the browser test and bench/fast3g.py: Chrome DevTools' "Fast 3G"
profile through the DevTools Protocol, and the request form filled in as a citizen would."""

from __future__ import annotations

import io
import time

# DevTools' preset (front_end/core/sdk/NetworkManager.ts): 1.6 Mbit/s down and 750 kbit/s up, each at
# 90 %, and 150 ms × 3.75 of latency.
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
    "uploadThroughput": 750 * 1000 / 8 * 0.9,
}


def emular_fast3g(contexto, pagina) -> None:
    cdp = contexto.new_cdp_session(pagina)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", FAST_3G)


def foto_de_telefono(bytes_objetivo: int = 4_500_000, semilla: int = 7) -> bytes:
    """A phone-size photo (4000 × 3000) of a letter on a table, saved at the quality that makes it
    weigh about `bytes_objetivo` (phones save at quality 90-95)."""
    from tests import files

    foto = files._foto(4000, 3000, semilla)
    mejor = None
    for calidad in range(80, 100):
        salida = io.BytesIO()
        foto.save(salida, "JPEG", quality=calidad)
        mejor = salida.getvalue()
        if len(mejor) >= bytes_objetivo:
            break
    return mejor


def foto_heic(semilla: int = 8) -> bytes:
    """An iPhone-like HEIC photo (3024 × 2268) made with pillow-heif."""
    import pillow_heif

    from tests import files

    pillow_heif.register_heif_opener()
    salida = io.BytesIO()
    files._foto(3024, 2268, semilla).save(salida, "HEIF", quality=80)
    return salida.getvalue()


def llenar_datos(page) -> None:
    page.get_by_label("Cédula de identidad").check()
    page.get_by_label("Número de identificación").fill("1710034065")
    page.get_by_label("Nombres", exact=True).fill("Rosa Elena")
    page.get_by_label("Apellidos").fill("Guamán Tituaña")
    page.get_by_label("Correo electrónico").fill("rosa.guaman@example.com")
    page.get_by_label("Teléfono", exact=True).fill("099 123 4567")
    page.get_by_label("Provincia").select_option("17")
    page.get_by_label("Acepto el tratamiento").check()


def enviar(page, cedula: str, carta: str, *, timeout_ms: int = 120_000) -> tuple[str, float]:
    """Choose the two files, continue at once, send from the check page, wait for the confirmation; return the reference and
    the seconds from the click to the confirmation page (the photos' conversion included)."""
    page.get_by_label("Documento de identidad").set_input_files(cedula)
    page.get_by_label("Solicitud de autorización firmada").set_input_files(carta)
    inicio = time.perf_counter()
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url("**/solicitud/revisar/", timeout=timeout_ms)
    # Check your answers (issue 16), then send from there.
    page.get_by_role("button", name="Enviar la solicitud").click()
    page.wait_for_url("**/enviada/", timeout=timeout_ms)
    segundos = time.perf_counter() - inicio
    return page.locator("#referencia").inner_text().strip(), segundos

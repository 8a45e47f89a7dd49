"""Latency of issuing (render + PAdES sign) and of verifying a signed authorization document.

Run: `.venv/bin/python -m bench.firma [--runs 20]`. Targets: issue < 300 ms, verify < 100 ms (medians).
Uses a throw-away STORAGE_DIR, so the demo certificate of the installation is not touched.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reinsercion.settings")

TARGET_ISSUE_MS = 300
TARGET_VERIFY_MS = 100

PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Autorización de reinserción laboral {numero}</title>
<style>
 @page {{ size: A4; margin: 2cm; }}
 body {{ font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10.5pt; }}
 table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #999; padding: 3pt; }}
 img.qr {{ width: 3cm; height: 3cm; float: right; }} img.relleno {{ width: 4cm; }}
</style></head>
<body>
<header><p>Instituto Ecuatoriano de Seguridad Social — Seguro General de Riesgos del Trabajo</p></header>
<main>
<h1>Autorización de reinserción laboral N.º {numero}</h1>
<img class="qr" src="{qr}" alt="Código QR para verificar este documento">
<p>Quito, 25 de noviembre de 2026</p>
<p>En atención a la solicitud {referencia} presentada por <strong>José Ñúñez Pérez</strong>, cédula
1710034065, pensionista con incapacidad permanente total, y vista la evaluación de capacidad remanente,
la Dirección resuelve <strong>AUTORIZAR</strong> su reinserción laboral con las condiciones siguientes.</p>
<table><thead><tr><th scope="col">Condición</th><th scope="col">Detalle</th></tr></thead><tbody>
{filas}
</tbody></table>
<h2>Base legal</h2>
<p>Reglamento del Seguro General de Riesgos del Trabajo (Resolución C.D. 513), capítulo XII, artículos 58
a 61; Ley de Seguridad Social, artículo 155.</p>
{relleno}
<p>Código de verificación: {codigo}. Verifique en {url}</p>
</main></body></html>
"""


def _html(i: int, url: str, qr: str, relleno: str = "") -> str:
    filas = "\n".join(
        f"<tr><td>Restricción {n}</td><td>Evitar cargas mayores a {5 + n} kg y jornadas nocturnas.</td></tr>"
        for n in range(1, 9)
    )
    return PAGE.format(
        numero=f"DSGRT-2026-{i:04d}",
        referencia=f"2026-7KQM-{i:04d}-R",
        codigo=f"V{i:07d}",
        url=url,
        qr=qr,
        filas=filas,
        relleno=relleno,
    )


def _noise_png_data_uri(target_bytes: int) -> str:
    """An incompressible PNG, so the PDF reaches the wanted size whatever the compression."""
    import base64
    import io

    from PIL import Image

    side = int((target_bytes / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(runs: int = 20) -> dict:
    import django

    # The embedded settings log every WeasyPrint step at INFO; keep the figures readable.
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    django.setup()
    from django.conf import settings
    from django.test import override_settings

    from tramites import firma, pdf

    with (
        tempfile.TemporaryDirectory() as tmp,
        override_settings(
            STORAGE_DIR=Path(tmp), SIGNING_P12_PATH="", SIGNING_P12_PASSWORD="", SIGNING_TRUST_ROOTS=[]
        ),
    ):
        base = settings.PUBLIC_BASE_URL

        def issue(i: int) -> tuple[bytes, float, float]:
            url = f"{base}/verificar/?codigo=V{i:07d}"
            t0 = time.perf_counter()
            unsigned = pdf.render_pdf_from_string(_html(i, url, pdf.qr_svg_data_uri(url)))
            t1 = time.perf_counter()
            signed = firma.sign_pdf(unsigned, reason="Autorización de reinserción laboral")
            t2 = time.perf_counter()
            return signed, t1 - t0, t2 - t1

        t0 = time.perf_counter()
        firma.ensure_demo_certificate()
        cold_start = time.perf_counter() - t0
        t0 = time.perf_counter()
        issue(0)  # first document: font configuration, PKCS#12 loading, imports
        first = time.perf_counter() - t0

        totals, renders, signs = [], [], []
        for i in range(1, runs + 1):
            t0 = time.perf_counter()
            _signed, render_s, sign_s = issue(i)
            totals.append(time.perf_counter() - t0)
            renders.append(render_s)
            signs.append(sign_s)

        url = f"{base}/verificar/?codigo=V9999999"
        relleno = f'<p><img class="relleno" src="{_noise_png_data_uri(190_000)}" alt="Sello"></p>'
        unsigned = pdf.render_pdf_from_string(_html(9999, url, pdf.qr_svg_data_uri(url), relleno))
        big = firma.sign_pdf(unsigned, reason="Autorización de reinserción laboral")
        check = firma.validate_pdf_signature(big)
        assert check.valid, check
        verifies = []
        for _ in range(runs):
            t0 = time.perf_counter()
            firma.validate_pdf_signature(big)
            verifies.append(time.perf_counter() - t0)

    return {
        "runs": runs,
        "demo_certificate_creation_ms": cold_start * 1000,
        "first_issue_ms": first * 1000,
        "issue_median_ms": _median_ms(totals),
        "issue_max_ms": max(totals) * 1000,
        "render_median_ms": _median_ms(renders),
        "sign_median_ms": _median_ms(signs),
        "verify_pdf_bytes": len(big),
        "verify_median_ms": _median_ms(verifies),
        "verify_max_ms": max(verifies) * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    r = run(args.runs)
    ok_issue = r["issue_median_ms"] < TARGET_ISSUE_MS
    ok_verify = r["verify_median_ms"] < TARGET_VERIFY_MS
    print(f"runs per measure:                 {r['runs']}")
    print(f"demo certificate creation (once): {r['demo_certificate_creation_ms']:.1f} ms")
    print(f"first document (cold):            {r['first_issue_ms']:.1f} ms")
    print(
        f"issue 1-page PDF (render + sign): median {r['issue_median_ms']:.1f} ms,"
        f" max {r['issue_max_ms']:.1f} ms"
        f"  (render {r['render_median_ms']:.1f} + sign {r['sign_median_ms']:.1f})"
        f"  target < {TARGET_ISSUE_MS} ms: {'OK' if ok_issue else 'MISSED'}"
    )
    print(
        f"verify signed PDF of {r['verify_pdf_bytes'] / 1024:.0f} KiB:"
        f"   median {r['verify_median_ms']:.1f} ms,"
        f" max {r['verify_max_ms']:.1f} ms  target < {TARGET_VERIFY_MS} ms: {'OK' if ok_verify else 'MISSED'}"
    )
    return 0 if ok_issue and ok_verify else 1


if __name__ == "__main__":
    sys.exit(main())

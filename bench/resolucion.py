"""Latency of issuing one signed resolution and of verifying an uploaded 200 KB document, end to end.

Run: `.venv/bin/python -m bench.resolucion [--runs 20]`. Targets (medians): issue < 300 ms,
verify < 100 ms. Uses a throw-away SQLite database and STORAGE_DIR, so nothing of the installation
is touched.

- issue: services end to end, as the director's POST does it: the transition, the number under a row
  lock, the render, the PAdES signature, the self-check of the signature, encryption, the file, the
  record and the e-mail row (one transaction).
- verify: a POST to /verificar/ through the Django test client: multipart parsing, the upload
  validator chain, SHA-256 against the record, the signature verdict (validated once per SHA-256 and
  cached; "cold" clears the cache before every request) and the result page.
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

TARGET_ISSUE_MS = 300
TARGET_VERIFY_MS = 100


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _preparar(tmp: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "reinsercion.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["STORAGE_DIR"] = tmp
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["RATELIMIT_ENABLE"] = "false"
    for var in ("SIGNING_P12_PATH", "SIGNING_P12_PASSWORD", "SIGNING_TRUST_ROOTS"):
        os.environ[var] = ""
    import django

    django.setup()
    for name in ("weasyprint", "weasyprint.progress", "fontTools", "auditoria", "tramites", "django"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _pdf_200k() -> bytes:
    """A signed 1-page PDF of about 200 KB (an incompressible seal image), like bench.firma's."""
    from bench.firma import _html, _noise_png_data_uri
    from tramites import firma, pdf

    url = "http://127.0.0.1:8000/verificar/BENCH/"
    relleno = f'<p><img class="relleno" src="{_noise_png_data_uri(190_000)}" alt="Sello"></p>'
    sin_firma = pdf.render_pdf_from_string(_html(1, url, pdf.qr_svg_data_uri(url), relleno))
    return firma.sign_pdf(sin_firma, reason="x")


def run(runs: int = 20) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        _preparar(tmp)
        import hashlib

        from django.contrib.auth import get_user_model
        from django.core.cache import cache
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import Client
        from django.test.utils import override_settings

        from tests.fabricas_evaluacion import datos_resolucion, tramite_evaluado
        from tramites import auditoria, firma
        from tramites.management import demo
        from tramites.models import Resolucion
        from tramites.resoluciones import services as res

        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            demo.cargar_usuarios()
        personal = {u.username: u for u in get_user_model().objects.all()}
        director = personal["director.pichincha"]
        firma.ensure_demo_certificate()

        casos = [tramite_evaluado(personal) for _ in range(runs + 1)]
        t0 = time.perf_counter()
        res.resolucion_emitir(tramite=casos[0], usuario=director, datos=datos_resolucion())
        primera = time.perf_counter() - t0
        emisiones, emisiones_cpu = [], []
        for tramite in casos[1:]:
            t0, c0 = time.perf_counter(), time.process_time()
            ultima = res.resolucion_emitir(tramite=tramite, usuario=director, datos=datos_resolucion())
            emisiones.append(time.perf_counter() - t0)
            emisiones_cpu.append(time.process_time() - c0)
            auditoria.flush()
        tamano_emitido = len(res.documento_leer(ultima))

        # A 200 KB signed document on record (the template's own documents are ~40 KB).
        grande = _pdf_200k()
        registro = Resolucion.objects.get(pk=ultima.pk)
        Resolucion.objects.filter(pk=registro.pk).update(sha256=hashlib.sha256(grande).hexdigest())
        alterado = bytearray(grande)
        pos = grande.index(b"WeasyPrint") + 1
        alterado[pos] ^= 1

        cliente = Client(HTTP_HOST="127.0.0.1")

        cpu: dict[str, list[float]] = {"frio": [], "caliente": []}

        def verificar(datos: bytes, *, frio: bool) -> tuple[float, str]:
            if frio:
                cache.clear()
            archivo = SimpleUploadedFile("resolucion.pdf", bytes(datos), content_type="application/pdf")
            t0, c0 = time.perf_counter(), time.process_time()
            r = cliente.post("/verificar/", {"metodo": "pdf", "p-documento": archivo})
            cpu["frio" if frio else "caliente"].append(time.process_time() - c0)
            return time.perf_counter() - t0, r.content.decode()

        _s, html = verificar(grande, frio=True)
        cpu["frio"].clear()
        assert "Auténtico y sin alteraciones" in html, "the 200 KB document should verify as authentic"
        frias = [verificar(grande, frio=True)[0] for _ in range(runs)]
        calientes = [verificar(grande, frio=False)[0] for _ in range(runs)]
        _s, html = verificar(alterado, frio=False)
        assert "ALTERADO" in html
        cpu_verificar = {k: list(v) for k, v in cpu.items()}
        alteradas = [verificar(alterado, frio=True)[0] for _ in range(runs)]

    return {
        "runs": runs,
        "first_issue_ms": primera * 1000,
        "issue_median_ms": _median_ms(emisiones),
        "issue_max_ms": max(emisiones) * 1000,
        "issue_cpu_median_ms": _median_ms(emisiones_cpu),
        "issued_pdf_bytes": tamano_emitido,
        "verify_pdf_bytes": len(grande),
        "verify_warm_median_ms": _median_ms(calientes),
        "verify_cold_median_ms": _median_ms(frias),
        "verify_warm_cpu_median_ms": _median_ms(cpu_verificar["caliente"]),
        "verify_cold_cpu_median_ms": _median_ms(cpu_verificar["frio"]),
        "verify_altered_median_ms": _median_ms(alteradas),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    r = run(args.runs)
    ok_issue = r["issue_median_ms"] < TARGET_ISSUE_MS
    ok_verify = max(r["verify_warm_median_ms"], r["verify_cold_median_ms"]) < TARGET_VERIFY_MS
    print(f"runs per measure:                        {r['runs']}")
    print(f"first resolution of the process (cold):  {r['first_issue_ms']:.1f} ms")
    print(
        f"issue one signed resolution:             median {r['issue_median_ms']:.1f} ms,"
        f" max {r['issue_max_ms']:.1f} ms ({r['issued_pdf_bytes'] / 1024:.0f} KiB PDF)"
        f"  target < {TARGET_ISSUE_MS} ms: {'OK' if ok_issue else 'MISSED'}"
    )
    kib = r["verify_pdf_bytes"] / 1024
    print(
        f"verify uploaded {kib:.0f} KiB PDF, authentic: median {r['verify_warm_median_ms']:.1f} ms"
        " (verdict cached),"
        f" {r['verify_cold_median_ms']:.1f} ms (signature validated)"
        f"  target < {TARGET_VERIFY_MS} ms: {'OK' if ok_verify else 'MISSED'}"
    )
    print(f"verify uploaded {kib:.0f} KiB PDF, altered:   median {r['verify_altered_median_ms']:.1f} ms")
    print(
        "CPU time of this process (less sensitive to a busy machine): issue median"
        f" {r['issue_cpu_median_ms']:.1f} ms; verify median {r['verify_warm_cpu_median_ms']:.1f} ms (cached),"
        f" {r['verify_cold_cpu_median_ms']:.1f} ms (signature validated)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0 if ok_issue and ok_verify else 1


if __name__ == "__main__":
    sys.exit(main())

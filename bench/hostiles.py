"""Worst-case CPU of the attachment check per hostile kind (targets: 250 ms for a file of at most 1 MiB
sent to a citizen form, 500 ms for a file of at most 3 MiB sent to /verificar/).

Run: `.venv/bin/python -m bench.hostiles [--runs 3]`. Each file is made here (tests/archivos_hostiles.py),
checked `--runs` times with `validar_adjunto` exactly as the form calls it, and the largest CPU time of
the process (time.process_time) is reported with the verdict and code. Exit status 1 above a target.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reinsercion.settings")

MIB = 1_048_576
OBJETIVO_FORMULARIO_MS = 250.0
OBJETIVO_VERIFICAR_MS = 500.0


def casos():
    """(kind, bytes, name, where): where is 'formulario' (1 MiB, JPEG or PDF) or 'verificar' (3 MiB, PDF)."""
    from tests import archivos_hostiles as h
    from tests import files

    yield "jpeg: progressive, 3000 scans, 6320x6320", h.jpeg_bomba_de_escaneos(), "bomba.jpg", "formulario"
    yield (
        "jpeg: progressive 2800², 32 scans (budget)",
        h.jpeg_progresivo_en_el_limite(),
        "l.jpg",
        "formulario",
    )
    yield (
        "jpeg: progressive 5600², 8 scans (budget)",
        h.jpeg_progresivo_en_el_limite(5600, 8),
        "l.jpg",
        "formulario",
    )
    yield "jpeg: baseline 36 Mpx document at 1 MiB", h.jpeg_base_en_el_limite(), "grande.jpg", "formulario"
    yield "jpeg: header claims 30000x30000", files.jpeg_bomba(), "bomba.jpg", "formulario"
    yield "jpeg: ZIP after the end", h.jpeg_zip_despues(), "zip.jpg", "formulario"
    yield "jpeg: ZIP in an APP segment", h.jpeg_zip_en_app(), "zip.jpg", "formulario"
    yield "jpeg: ZIP after 4 KB of NUL", h.jpeg_zip_tras_relleno(), "zip.jpg", "formulario"
    yield "pdf: XFA with a script", h.pdf_xfa(), "xfa.pdf", "formulario"
    for nombre, accion in h.ACCIONES.items():
        yield f"pdf: {nombre} in /OpenAction", h.pdf_accion_al_abrir(accion), "accion.pdf", "formulario"
    yield "pdf: /Launch in /AA", h.pdf_accion_en_aa(h.ACCIONES["launch"]), "aa.pdf", "formulario"
    yield "pdf: /RichMedia annotation", h.pdf_richmedia(), "rich.pdf", "formulario"
    yield "pdf: ZIP (.exe) after %%EOF", h.pdf_zip_despues(), "zip.pdf", "formulario"
    yield "pdf: ZIP (.exe) inside", h.pdf_zip_dentro(), "zip.pdf", "formulario"
    yield "pdf: blank page", h.pdf_en_blanco(), "blanco.pdf", "formulario"
    yield "pdf: 5000 pages", files.pdf_miles_de_paginas(), "paginas.pdf", "formulario"
    yield "pdf: arrays nested 20000 deep", files.pdf_anidado(), "anidado.pdf", "formulario"
    yield "pdf: flate bomb (80 MB inflated)", files.pdf_bomba_flate(), "flate.pdf", "formulario"
    yield (
        "verificar: 3 MiB scan-bomb JPEG",
        h.jpeg_bomba_de_escaneos(6320, 60000)[: 3 * MIB],
        "x.pdf",
        "verificar",
    )
    yield "verificar: flate bomb PDF", files.pdf_bomba_flate(), "flate.pdf", "verificar"
    yield "pdf: 2,990 objects (just under the limit)", h.pdf_muchos_objetos(), "objetos.pdf", "formulario"
    yield "pdf: 20,000 objects (over the limit)", h.pdf_muchos_objetos(20_000), "objetos.pdf", "verificar"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tramites import validators

    fallos = 0
    print(f"{'kind':<46}{'bytes':>10}{'CPU max ms':>12}  verdict")
    for tipo, datos, nombre, donde in casos():
        if donde == "verificar":
            limite, tipos, objetivo = (
                settings.VERIFICAR_MAX_BYTES,
                (validators.TIPO_PDF,),
                OBJETIVO_VERIFICAR_MS,
            )
        else:
            limite, tipos, objetivo = settings.UPLOAD_MAX_BYTES, None, OBJETIVO_FORMULARIO_MS
        peor, veredicto = 0.0, ""
        for _ in range(args.runs):
            archivo = SimpleUploadedFile(nombre, datos)
            inicio = time.process_time()
            try:
                if tipos:
                    validado = validators.validar_adjunto(archivo, max_bytes=limite, tipos=tipos)
                else:
                    validado = validators.validar_adjunto(archivo, max_bytes=limite)
                veredicto = "warned " + validado.advertencia_codigo if validado.advertencia else "accepted"
            except ValidationError as exc:
                veredicto = f"refused {exc.code}"
            peor = max(peor, 1000 * (time.process_time() - inicio))
        marca = "" if peor <= objetivo else f"  OVER {objetivo:.0f} ms"
        fallos += bool(marca)
        print(f"{tipo:<46}{len(datos):>10}{peor:>12.1f}  {veredicto}{marca}")
    return 1 if fallos else 0


if __name__ == "__main__":
    sys.exit(main())

"""Run a labelled corpus of real files through the attachment chain of the citizen form.

Run: `.venv/bin/python -m bench.corpus DIR [--json FILE] [--sin-degradados]`

DIR holds the files and `manifest.json` (a list of records with at least `name`, `kind`, `expected`
= `accept` | `refuse`; optional `scope` and `basis`, see ../shared/corpus/README.md). Each file goes
through `validar_adjunto` with the citizen form's limit, exactly as the form calls it. The verdict is
`accepted`, `warned` (accepted only if the citizen confirms that the photo reads well) or `refused`.

It prints the verdict table by kind against `expected`, every disagreement with the message the
citizen would read, and the time per file (median and maximum). `--json FILE` writes one record per
file: name, kind, expected, verdict, code, message, ms.

Besides the files of the manifest, four degraded copies of every legible JPEG document are judged
(expected: not accepted without a warning), made here with Pillow so nothing is stored:
- `blur`: Gaussian blur of radius 1 % of the shorter side (a 1200 px page: 12 px, text a smear);
- `motion`: a horizontal shake over 3 % of the shorter side;
- `underexposed`: gray levels × 0.12 (a photo taken in the dark: mean level under 30);
- `washed`: 92 % white over the picture (ink and paper within about 20 gray levels).

Targets (checked by `objetivos`, and by tests/test_corpus.py in CI when the folder exists):
- legible documents (scope document, expected accept) refused: at most 2 %; warned: at most 10 %;
- unreadable documents (scope document, expected refuse for legibility or blankness, and the degraded
  copies) accepted without a warning: at most 10 %;
- no crash (any exception other than the chain's own refusal).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reinsercion.settings")

OBJETIVO_LEGIBLES_RECHAZADOS = 0.02
OBJETIVO_LEGIBLES_ADVERTIDOS = 0.10
OBJETIVO_ILEGIBLES_ACEPTADOS = 0.10
BASES_DE_LECTURA = ("legibility", "blank")
DEGRADACIONES = ("blur", "motion", "underexposed", "washed")


@dataclass
class Registro:
    name: str
    kind: str
    expected: str
    verdict: str  # accepted | warned | refused | crash
    code: str
    message: str
    ms: float
    scope: str = "document"
    basis: str = ""


def _degradar(datos: bytes, como: str) -> bytes:
    from PIL import Image, ImageFilter, ImageOps

    with Image.open(io.BytesIO(datos)) as original:
        imagen = ImageOps.exif_transpose(original).convert("RGB")
    corto = min(imagen.size)
    if como == "blur":
        imagen = imagen.filter(ImageFilter.GaussianBlur(max(3.0, corto / 100)))
    elif como == "motion":
        largo = max(9, int(corto * 0.03)) | 1
        # Pillow's Kernel is at most 5x5: a box blur of height 0 is a horizontal line average.
        imagen = imagen.filter(ImageFilter.BoxBlur((largo // 2, 0)))
    elif como == "underexposed":
        imagen = imagen.point(lambda v: int(v * 0.12))
    elif como == "washed":
        imagen = Image.blend(imagen, Image.new("RGB", imagen.size, (255, 255, 255)), 0.92)
    else:
        raise ValueError(como)
    salida = io.BytesIO()
    imagen.save(salida, "JPEG", quality=85)
    return salida.getvalue()


def _juzgar(nombre: str, datos: bytes) -> tuple[str, str, str, float]:
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tramites import validators

    archivo = SimpleUploadedFile(nombre, datos)
    inicio = time.perf_counter()
    try:
        validado = validators.validar_adjunto(archivo)
    except ValidationError as exc:
        ms = 1000 * (time.perf_counter() - inicio)
        mensaje = " ".join(str(m) for m in exc.messages)
        return "refused", exc.code or "", mensaje, ms
    except Exception as exc:  # the point of the command: report, never stop
        ms = 1000 * (time.perf_counter() - inicio)
        return "crash", type(exc).__name__, str(exc), ms
    ms = 1000 * (time.perf_counter() - inicio)
    advertencia = getattr(validado, "advertencia", None)
    if advertencia:
        return "warned", getattr(validado, "advertencia_codigo", "") or "", str(advertencia), ms
    return "accepted", "", "", ms


def evaluar(directorio: Path, *, degradados: bool = True) -> list[Registro]:
    """Judge every file of the manifest (and the degraded copies of the legible JPEG documents)."""
    import django

    django.setup()
    manifiesto = json.loads((directorio / "manifest.json").read_text(encoding="utf-8"))
    registros = []
    for entrada in manifiesto:
        datos = (directorio / entrada["name"]).read_bytes()
        veredicto, codigo, mensaje, ms = _juzgar(entrada["name"], datos)
        registros.append(
            Registro(
                name=entrada["name"],
                kind=entrada["kind"],
                expected=entrada["expected"],
                verdict=veredicto,
                code=codigo,
                message=mensaje,
                ms=round(ms, 2),
                scope=entrada.get("scope", "document"),
                basis=entrada.get("basis", ""),
            )
        )
        legible_jpeg = (
            degradados
            and entrada["expected"] == "accept"
            and entrada.get("scope", "document") == "document"
            and datos.startswith(b"\xff\xd8\xff")
        )
        if not legible_jpeg:
            continue
        for como in DEGRADACIONES:
            try:
                copia = _degradar(datos, como)
            except Exception:  # noqa: S112 — a file Pillow cannot open has no degraded copy
                continue
            nombre = f"{entrada['name'].rsplit('.', 1)[0]}__{como}.jpg"
            veredicto, codigo, mensaje, ms = _juzgar(nombre, copia)
            registros.append(
                Registro(
                    name=nombre,
                    kind=f"degraded-{como}",
                    expected="refuse",
                    verdict=veredicto,
                    code=codigo,
                    message=mensaje,
                    ms=round(ms, 2),
                    basis="legibility",
                )
            )
    return registros


def _legibles(registros):
    return [r for r in registros if r.expected == "accept" and r.scope == "document"]


def _ilegibles(registros):
    return [
        r
        for r in registros
        if r.expected == "refuse" and r.scope == "document" and r.basis in BASES_DE_LECTURA
    ]


def cifras(registros: list[Registro]) -> dict:
    legibles, ilegibles = _legibles(registros), _ilegibles(registros)

    def parte(grupo, veredicto):
        return sum(r.verdict == veredicto for r in grupo) / max(1, len(grupo))

    tiempos = [r.ms for r in registros]
    return {
        "legibles": len(legibles),
        "legibles_rechazados": parte(legibles, "refused"),
        "legibles_advertidos": parte(legibles, "warned"),
        "ilegibles": len(ilegibles),
        "ilegibles_aceptados": parte(ilegibles, "accepted"),
        "fallos": sum(r.verdict == "crash" for r in registros),
        "ms_mediana": statistics.median(tiempos) if tiempos else 0.0,
        "ms_maximo": max(tiempos, default=0.0),
    }


def objetivos(registros: list[Registro]) -> list[str]:
    """The targets missed, in words (empty when all are met)."""
    c = cifras(registros)
    fallados = []
    if c["legibles_rechazados"] > OBJETIVO_LEGIBLES_RECHAZADOS:
        fallados.append(f"legible documents refused {c['legibles_rechazados']:.1%} > 2 %")
    if c["legibles_advertidos"] > OBJETIVO_LEGIBLES_ADVERTIDOS:
        fallados.append(f"legible documents warned {c['legibles_advertidos']:.1%} > 10 %")
    if c["ilegibles_aceptados"] > OBJETIVO_ILEGIBLES_ACEPTADOS:
        fallados.append(f"unreadable documents accepted {c['ilegibles_aceptados']:.1%} > 10 %")
    if c["fallos"]:
        fallados.append(f"{c['fallos']} crash(es)")
    return fallados


def _coincide(registro: Registro) -> bool:
    if registro.expected == "accept":
        return registro.verdict in ("accepted", "warned")
    return (
        registro.verdict in ("refused", "warned")
        if registro.basis in BASES_DE_LECTURA
        else (registro.verdict == "refused")
    )


def informe(registros: list[Registro]) -> str:
    lineas = []
    tipos = sorted({r.kind for r in registros})
    cabecera = f"{'kind':<26}{'expected':<9}{'n':>4}{'accepted':>10}{'warned':>8}{'refused':>9}{'crash':>7}"
    lineas += [cabecera, "-" * len(cabecera)]
    for tipo in tipos:
        for esperado in ("accept", "refuse"):
            grupo = [r for r in registros if r.kind == tipo and r.expected == esperado]
            if not grupo:
                continue
            cuenta = {
                v: sum(r.verdict == v for r in grupo) for v in ("accepted", "warned", "refused", "crash")
            }
            lineas.append(
                f"{tipo:<26}{esperado:<9}{len(grupo):>4}{cuenta['accepted']:>10}{cuenta['warned']:>8}"
                f"{cuenta['refused']:>9}{cuenta['crash']:>7}"
            )
    desacuerdos = [
        r for r in registros if not _coincide(r) or (r.expected == "accept" and r.verdict == "warned")
    ]
    lineas += ["", f"Disagreements and warnings on legible files ({len(desacuerdos)}):"]
    for r in desacuerdos:
        lineas.append(f"- {r.name} [{r.kind}, expected {r.expected}] -> {r.verdict} {r.code}: {r.message}")
    c = cifras(registros)
    lineas += [
        "",
        f"Legible documents: {c['legibles']}; refused {c['legibles_rechazados']:.1%} (target <= 2 %), "
        f"warned {c['legibles_advertidos']:.1%} (target <= 10 %)",
        f"Unreadable documents (incl. degraded copies): {c['ilegibles']}; accepted without warning "
        f"{c['ilegibles_aceptados']:.1%} (target <= 10 %)",
        f"Crashes: {c['fallos']}",
        f"Time per file: median {c['ms_mediana']:.1f} ms, max {c['ms_maximo']:.1f} ms "
        f"({len(registros)} files)",
    ]
    fallados = objetivos(registros)
    lineas.append("Targets: " + ("all met" if not fallados else "MISSED: " + "; ".join(fallados)))
    return "\n".join(lineas)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directorio", type=Path, metavar="DIR")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write one record per file")
    parser.add_argument("--sin-degradados", action="store_true", help="skip the degraded copies")
    args = parser.parse_args(argv)
    if not (args.directorio / "manifest.json").is_file():
        parser.error(f"{args.directorio}/manifest.json does not exist")
    registros = evaluar(args.directorio, degradados=not args.sin_degradados)
    print(informe(registros))
    if args.json:
        args.json.write_text(
            json.dumps([asdict(r) for r in registros], ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return 1 if objetivos(registros) else 0


if __name__ == "__main__":
    sys.exit(main())

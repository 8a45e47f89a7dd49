"""The gate on real files: `bench.corpus` over ../shared/corpus/real/ (and degraded copies of its legible
photos) meets the targets of issue 12. Skipped when the folder is absent (the files are not in the
repository); CORPUS_DIR points elsewhere."""

import os
from pathlib import Path

import pytest

from bench import corpus

RAIZ = Path(__file__).resolve().parent.parent


def _carpeta() -> Path | None:
    candidatas = [
        os.environ.get("CORPUS_DIR", ""),
        RAIZ.parent / "shared/corpus/real",
        RAIZ.parent.parent / "shared/corpus/real",
    ]
    for candidata in candidatas:
        if candidata and (Path(candidata) / "manifest.json").is_file():
            return Path(candidata)
    return None


@pytest.mark.skipif(_carpeta() is None, reason="../shared/corpus/real/ is not here (set CORPUS_DIR)")
def test_el_corpus_real_cumple_los_objetivos():
    registros = corpus.evaluar(_carpeta())
    cifras = corpus.cifras(registros)
    assert cifras["legibles"] >= 50 and cifras["ilegibles"] >= 100
    assert corpus.objetivos(registros) == [], corpus.informe(registros)

"""The floor plan of `tramites/` (docs/arquitectura.md): imports run one way, features keep to their room.

Module-level imports only: an import inside a function body runs when the function does, which is
how a Celery task reaches its service without a circle.
"""

import ast
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent / "tramites"
FUNCIONALIDADES = {
    "acceso",
    "cifras",
    "consulta",
    "datos_personales",
    "evaluacion",
    "quejas",
    "resoluciones",
    "solicitud",
    "subsanacion",
    "tramitacion",
}
# What sits above the features: the URL map, Django's entry points (admin, commands) and template tags.
ARRIBA_DE_LAS_FUNCIONALIDADES = (
    "tramites.urls",
    "tramites.admin",
    "tramites.apps",
    "tramites.management.commands.",
    "tramites.templatetags.",
)


def _nombre(ruta: Path) -> str:
    partes = list(ruta.relative_to(RAIZ.parent).with_suffix("").parts)
    if partes[-1] == "__init__":
        partes.pop()
    return ".".join(partes)


def _modulos() -> dict[str, Path]:
    return {
        _nombre(p): p
        for p in RAIZ.rglob("*.py")
        if "migrations" not in p.parts and "__pycache__" not in p.parts
    }


def _importa(nombre: str, ruta: Path, modulos: dict[str, Path]) -> set[str]:
    """The tramites modules `nombre` imports at module level (statements not inside a def or class)."""
    paquete = nombre if ruta.name == "__init__.py" else nombre.rpartition(".")[0]
    destinos: set[str] = set()

    def visitar(nodos):
        for nodo in nodos:
            if isinstance(nodo, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(nodo, ast.Import):
                destinos.update(a.name for a in nodo.names if a.name.startswith("tramites"))
            elif isinstance(nodo, ast.ImportFrom):
                if nodo.level:
                    base = paquete.split(".")[: len(paquete.split(".")) - (nodo.level - 1)]
                    origen = ".".join(base + ([nodo.module] if nodo.module else []))
                else:
                    origen = nodo.module or ""
                if not origen.startswith("tramites"):
                    continue
                for alias in nodo.names:
                    submodulo = f"{origen}.{alias.name}"
                    destinos.add(submodulo if submodulo in modulos else origen)
            else:
                visitar([h for h in ast.iter_child_nodes(nodo) if isinstance(h, ast.stmt)])

    visitar(ast.parse(ruta.read_text()).body)
    destinos.discard(nombre)
    return {d for d in destinos if d in modulos}


def grafo() -> dict[str, set[str]]:
    modulos = _modulos()
    return {nombre: _importa(nombre, ruta, modulos) for nombre, ruta in modulos.items()}


def ciclos(aristas: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each a circle of imports."""
    indice, bajo, pila, en_pila, componentes = {}, {}, [], set(), []

    def fuerte(v):
        indice[v] = bajo[v] = len(indice)
        pila.append(v)
        en_pila.add(v)
        for w in aristas.get(v, ()):
            if w not in indice:
                fuerte(w)
                bajo[v] = min(bajo[v], bajo[w])
            elif w in en_pila:
                bajo[v] = min(bajo[v], indice[w])
        if bajo[v] == indice[v]:
            componente = []
            while True:
                w = pila.pop()
                en_pila.discard(w)
                componente.append(w)
                if w == v:
                    break
            if len(componente) > 1:
                componentes.append(sorted(componente))

    for v in sorted(aristas):
        if v not in indice:
            fuerte(v)
    return componentes


def _funcionalidad(modulo: str) -> str | None:
    partes = modulo.split(".")
    return partes[1] if len(partes) > 2 and partes[1] in FUNCIONALIDADES else None


def test_no_hay_importaciones_circulares():
    encontrados = ciclos(grafo())
    assert not encontrados, "Importaciones circulares:\n" + "\n".join(" ⇄ ".join(c) for c in encontrados)


def test_una_funcionalidad_no_importa_las_vistas_de_otra():
    malas = [
        f"{origen} → {destino}"
        for origen, destinos in grafo().items()
        for destino in destinos
        if _funcionalidad(origen)
        and _funcionalidad(destino)
        and _funcionalidad(origen) != _funcionalidad(destino)
        and destino.rpartition(".")[2].startswith("views")
    ]
    assert not malas, "\n".join(malas)


def test_lo_compartido_no_depende_de_una_funcionalidad():
    """The root is what two or more features share: it never imports a feature (the URL map,
    Django's entry points and the template tags excepted)."""
    malas = [
        f"{origen} → {destino}"
        for origen, destinos in grafo().items()
        if not _funcionalidad(origen) and not origen.startswith(ARRIBA_DE_LAS_FUNCIONALIDADES)
        for destino in destinos
        if _funcionalidad(destino)
    ]
    assert not malas, "\n".join(malas)


def test_la_raiz_y_los_modulos_tienen_un_tamano_legible():
    raiz = sorted(p.name for p in RAIZ.glob("*.py"))
    assert len(raiz) <= 25, raiz
    largos = {
        str(p.relative_to(RAIZ.parent)): n
        for p in RAIZ.rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 700
    }
    assert not largos, largos


@pytest.mark.parametrize(
    "aristas, esperado",
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_el_detector_de_ciclos_detecta(aristas, esperado):
    assert ciclos(aristas) == esperado


def test_los_nombres_de_las_tareas_de_celery_no_cambian():
    """Queued messages and beat schedules name tasks by these strings: moving a module must not rename
    one (a message already in Redis would then be lost)."""
    from reinsercion.celery import app

    app.loader.import_default_modules()
    assert {n for n in app.tasks if n.startswith("tramites.")} == {
        "tramites.tasks.enrutar_tramite",
        "tramites.tasks.reencolar_ingresados",
        "tramites.tasks.enviar_notificacion",
        "tramites.tasks.enviar_notificaciones",
        "tramites.tasks.reintentar_notificaciones",
        "tramites.tasks.purgar_adjuntos_retenidos",
        "tramites.tasks.purgar_archivos_huerfanos",  # added by issue 14 (new, nothing renamed)
        "tramites.tasks.vencer_observaciones",
        "tramites.tasks.alertar_plazos",
        "tramites.retencion.purgar_datos_vencidos",
        # Added with issue 13 (the 30-day term watch, data-subject request alerts).
        "tramites.tasks.escalar_terminos",
        "tramites.tasks.alertar_derechos_titular",
    }

"""What a careful look in Chromium checks on every public page, at 360 and 1280 px (WCAG 2.2 AA):
each form control's boundary and the keyboard focus indicator reach 3:1 against what surrounds them,
nothing overflows horizontally, the transparency chart draws its bars, the header's menu works without
JavaScript, and axe-core with all its rules (best practices included) finds nothing."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests import files

pytestmark = pytest.mark.django_db(transaction=True)

PAGINAS = [
    "/",
    "/solicitud/",
    "/consulta/",
    "/verificar/",
    "/quejas/nueva/",
    "/transparencia/",
    "/privacidad/",
    "/no-existe/",
]
ANCHOS = [360, 1280]
MESES_GRAFICO = 24

# Contrast helpers run in the page: the colour behind an element is the first opaque background of its
# ancestors (white if none); WCAG relative luminance and contrast ratio.
JS_COMUN = """
const rgba = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
  const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const contraste = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const fondo = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
  if (c && c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
const nombre = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '');
"""

JS_BORDES = (
    JS_COMUN
    + """
() => {
  const fallos = [], medidos = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!visible(el) || el.closest('.campo-trampa')) continue;
    const s = getComputedStyle(el);
    const detras = fondo(el.parentElement);
    for (const lado of ['Top', 'Right', 'Bottom', 'Left']) {
      const ancho = parseFloat(s['border' + lado + 'Width']);
      const color = rgba(s['border' + lado + 'Color']);
      const c = ancho >= 1 && color ? contraste(color, detras) : 0;
      if (c < 3) fallos.push(`${nombre(el)} borde ${lado}: ${ancho}px ${s['border' + lado + 'Color']}, contraste ${c.toFixed(2)}`);
    }
    const r = el.getBoundingClientRect();
    if (r.width < 24 || r.height < 24) fallos.push(`${nombre(el)}: ${r.width}×${r.height} px, menos de 24×24`);
    medidos.push(nombre(el));
  }
  return {fallos, medidos};
}
"""
)

JS_FOCO = (
    JS_COMUN
    + """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const ancho = s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth);
  const color = rgba(s.outlineColor);
  const detras = fondo(el.parentElement);
  return {nombre: nombre(el) + ' ' + (el.textContent || '').trim().slice(0, 30), ancho,
          contraste: color && color[3] > 0.5 ? contraste(color, detras) : 0, color: s.outlineColor};
}
"""
)


@pytest.fixture
def sitio(oficinas):
    call_command(
        "importar_transparencia", str(Path(settings.BASE_DIR) / "data" / "transparencia_2024_2025.csv")
    )


def _contexto(navegador, ancho: int, **kwargs):
    return navegador.new_context(viewport={"width": ancho, "height": 800}, locale="es-EC", **kwargs)


def _sin_desborde(page) -> None:
    ancho = page.evaluate("document.documentElement.scrollWidth")
    vista = page.evaluate("document.documentElement.clientWidth")
    assert ancho <= vista, f"{page.url}: la página mide {ancho} px de ancho en una ventana de {vista} px"


def _bordes(page) -> list[str]:
    resultado = page.evaluate(JS_BORDES)
    return resultado["fallos"]


def _foco(page, limite: int = 80) -> list[str]:
    """Tab through the page; every element that takes focus shows a ring of at least 2 px and 3:1."""
    fallos, vistos = [], set()
    page.locator("body").focus()
    for _ in range(limite):
        page.keyboard.press("Tab")
        dato = page.evaluate(JS_FOCO)
        if dato is None or dato["nombre"] in vistos:
            break
        vistos.add(dato["nombre"])
        if dato["ancho"] < 2 or dato["contraste"] < 3:
            fallos.append(
                f"{dato['nombre']}: contorno {dato['ancho']} px {dato['color']}, contraste {dato['contraste']:.2f}"
            )
    assert len(vistos) >= 3, f"{page.url}: el teclado alcanzó solo {len(vistos)} elementos"
    return fallos


def _axe_completo(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violaciones = Axe().run(page).response.get("violations", [])  # every rule, best practices included
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in violaciones
    ]


def _llenar_solicitud(page, carpeta) -> None:
    cedula, carta = carpeta / "cedula.jpg", carpeta / "carta.pdf"
    cedula.write_bytes(files.jpeg_documento())
    carta.write_bytes(files.pdf_solicitud())
    page.get_by_label("Número de identificación").fill("1710034065")
    page.get_by_label("Nombres", exact=True).fill("Rosa Elena")
    page.get_by_label("Apellidos").fill("Guamán Tituaña")
    page.get_by_label("Correo electrónico").fill("rosa.guaman@example.com")
    page.get_by_label("Teléfono", exact=True).fill("099 123 4567")
    page.get_by_label("Provincia").select_option("17")
    page.get_by_label("Documento de identidad").set_input_files(str(cedula))
    page.get_by_label("Solicitud de autorización firmada").set_input_files(str(carta))
    page.get_by_label("Acepto el tratamiento").check()


@pytest.mark.parametrize("ancho", ANCHOS)
def test_cada_pagina_publica_se_ve_y_se_usa_con_teclado(navegador, live_server, sitio, ancho, tmp_path):
    contexto = _contexto(navegador, ancho)
    page = contexto.new_page()
    errores_consola = []
    page.on("console", lambda m: errores_consola.append(m.text) if m.type == "error" else None)
    problemas = []
    try:
        for ruta in PAGINAS:
            page.goto(live_server.url + ruta)
            _sin_desborde(page)
            problemas += [f"{ruta} @{ancho}: {p}" for p in _bordes(page)]
            problemas += [f"{ruta} @{ancho}: {p}" for p in _foco(page)]
            problemas += [f"{ruta} @{ancho}: {p}" for p in _axe_completo(page)]
        # The request form after a failed submit: errors, red fields, the summary.
        page.goto(live_server.url + "/solicitud/")
        page.get_by_role("button", name="Continuar").click()
        page.locator("[data-error-summary]").wait_for()
        _sin_desborde(page)
        problemas += [f"/solicitud/ con errores @{ancho}: {p}" for p in _bordes(page) + _axe_completo(page)]
        # The check-your-answers page, with its thumbnails.
        _llenar_solicitud(page, tmp_path)
        page.get_by_role("button", name="Continuar").click()
        page.wait_for_url("**/solicitud/revisar/")
        _sin_desborde(page)
        problemas += [f"/solicitud/revisar/ @{ancho}: {p}" for p in _foco(page) + _axe_completo(page)]
    finally:
        contexto.close()
    assert not problemas, "\n".join(problemas)
    # Only the deliberate 404 page may log an error (the browser reports the status).
    assert [e for e in errores_consola if "404" not in e] == []


@pytest.mark.parametrize("ancho", ANCHOS)
def test_el_grafico_de_transparencia_dibuja_sus_barras(navegador, live_server, sitio, ancho):
    contexto = _contexto(navegador, ancho)
    page = contexto.new_page()
    errores = []
    page.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
    try:
        page.goto(live_server.url + "/transparencia/")
        assert page.evaluate("document.documentElement.lang") == "es"
        barras = page.evaluate(
            """() => [...document.querySelectorAll('svg[data-grafico] rect.barra')]
                 .map(r => r.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0).length"""
        )
        # One bar per figure above zero among the charted months (the first rows of the table).
        esperadas = page.evaluate(
            f"""() => [...document.querySelectorAll('.tabla-transparencia tbody tr')].slice(0, {MESES_GRAFICO})
                 .flatMap(tr => [...tr.cells].slice(2)).filter(td => Number(td.textContent) > 0).length"""
        )
        assert esperadas > 0
        assert barras == esperadas, (
            f"{barras} barras dibujadas a {ancho} px; la tabla tiene {esperadas} cifras"
        )
        # The numbers of the chart are at least 10 px high on the screen.
        alturas = page.evaluate(
            """() => [...document.querySelectorAll('svg[data-grafico] text')]
                 .map(t => t.getBoundingClientRect().height).filter(h => h > 0)"""
        )
        assert alturas and min(alturas) >= 10, f"texto del gráfico de {min(alturas):.1f} px a {ancho} px"
        _sin_desborde(page)
    finally:
        contexto.close()
    assert errores == []


@pytest.mark.parametrize("ancho", [360, 768, 1024, 1280])
def test_la_cabecera_cabe_y_el_menu_funciona_sin_javascript(navegador, live_server, sitio, ancho):
    contexto = _contexto(navegador, ancho, java_script_enabled=False)
    page = contexto.new_page()
    try:
        page.goto(live_server.url + "/consulta/")
        _sin_desborde(page)
        enlace = page.get_by_role("link", name="Consultar trámite")
        if ancho < 992:
            assert not enlace.is_visible()
            page.get_by_text("Menú", exact=True).click()
        assert enlace.is_visible()
        assert enlace.get_attribute("aria-current") == "page"
        # Every nav item on one line.
        alturas = page.evaluate(
            "[...document.querySelectorAll('.menu-lista a')].map(a => a.getClientRects().length)"
        )
        assert alturas and max(alturas) == 1, alturas
        if ancho >= 992:
            arriba = page.evaluate(
                "[...document.querySelectorAll('.menu-lista a')].map(a => a.getBoundingClientRect().top)"
            )
            assert len(set(arriba)) == 1, f"el menú ocupa más de una línea a {ancho} px"
        assert page.get_by_role("button", name="English").is_visible()
    finally:
        contexto.close()


def test_un_navegador_en_ingles_recibe_la_pagina_en_espanol(navegador, live_server, sitio):
    contexto = navegador.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    page = contexto.new_page()
    try:
        page.goto(live_server.url + "/")
        assert page.evaluate("document.documentElement.lang") == "es"
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "en"
        page.goto(live_server.url + "/transparencia/")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.get_by_role("columnheader", name="Year").is_visible()
        page.get_by_role("button", name="Español").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "es"
    finally:
        contexto.close()


@pytest.mark.parametrize(
    ("ruta", "boton"), [("/solicitud/", "Continuar"), ("/quejas/nueva/", "Enviar la queja")]
)
def test_tras_saltar_al_contenido_el_error_se_lleva_el_foco(navegador, live_server, sitio, ruta, boton):
    """A keyboard user who used "Saltar al contenido" (the address now ends in #contenido) and sends the
    form with a mistake lands on the error summary, not on <main>."""
    contexto = _contexto(navegador, 1280)
    page = contexto.new_page()
    try:
        page.goto(live_server.url + ruta)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Saltar al contenido"
        page.keyboard.press("Enter")
        page.wait_for_url("**#contenido")
        page.get_by_role("button", name=boton).click()
        page.locator("[data-error-summary]").wait_for()
        page.wait_for_load_state("load")
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    finally:
        contexto.close()

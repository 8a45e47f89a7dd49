"""The new headers break no page (issue 14, point 3): Chromium loads the public pages, the staff login
and the complaint form with Cross-Origin-Resource-Policy, X-Permitted-Cross-Domain-Policies, no-store
and the CSP, with no failed request, no console error, and the site's stylesheet applied."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGINAS = ["/", "/solicitud/", "/consulta/", "/quejas/nueva/", "/verificar/", "/transparencia/", "/privacidad/",
           "/personal/login/"]  # fmt: skip


def test_las_paginas_cargan_completas_con_las_cabeceras_nuevas(pagina, oficinas):
    page = pagina
    fallidas, errores, cabeceras = [], [], {}
    page.on("requestfailed", lambda r: fallidas.append(f"{r.url} {r.failure}"))
    # Errors a header could cause: a refused or blocked load (CSP, CORP, mixed content). (The chart's
    # SVG currently logs 'Expected length, "264,0"' for its decimal commas: not a header matter.)
    bloqueo = ("refused", "blocked", "cross-origin", "failed to load", "content security policy")
    page.on(
        "console",
        lambda m: errores.append(m.text) if m.type == "error" and any(b in m.text.lower() for b in bloqueo) else None,
    )
    for ruta in PAGINAS:
        respuesta = page.goto(page.base_url + ruta)
        assert respuesta.status == 200, ruta
        cabeceras[ruta] = respuesta.headers
        # Bootstrap and app.css applied: the page is laid out, not bare HTML.
        assert page.evaluate("getComputedStyle(document.body).fontFamily") != "" and page.locator(
            "link[rel=stylesheet]"
        ).count() >= 2, ruta
        cargadas = page.evaluate(
            "[...document.styleSheets].filter(s => { try { return s.cssRules.length > 0 } catch (e) { return false } }).length"
        )
        assert cargadas >= 2, ruta
    assert not fallidas, fallidas
    assert not errores, errores
    for ruta, h in cabeceras.items():
        assert h["cross-origin-resource-policy"] == "same-origin", ruta
        assert h["x-permitted-cross-domain-policies"] == "none", ruta

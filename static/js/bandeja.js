// The staff inbox as a work queue: keyboard shortcuts and bulk selection.
// Progressive enhancement only: the page works without this file.
//   "/"  focuses the search box;
//   "j"  moves to the next case of the list, "k" to the previous one (the case's link takes the
//        focus, so Enter opens it and Tab goes on as usual: focus is never trapped);
//   every move is announced in the page's aria-live region for screen-reader users.
// Shortcuts are ignored while typing in a field, and with Ctrl, Alt or Meta held.
(function () {
  "use strict";

  function escribiendo(elemento) {
    if (!elemento) { return false; }
    var etiqueta = elemento.tagName;
    return etiqueta === "INPUT" || etiqueta === "TEXTAREA" || etiqueta === "SELECT" || elemento.isContentEditable;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var lista = document.querySelector("[data-cola]");
    var busqueda = document.querySelector("[data-busqueda]");
    var anuncio = document.getElementById("anuncio-cola");
    var filas = lista ? Array.prototype.slice.call(lista.querySelectorAll("tr[data-fila]")) : [];

    function actual() {
      for (var i = 0; i < filas.length; i++) {
        if (filas[i].contains(document.activeElement) || filas[i].classList.contains("fila-actual")) { return i; }
      }
      return -1;
    }

    function ir(indice) {
      if (!filas.length) { return; }
      indice = Math.max(0, Math.min(filas.length - 1, indice));
      filas.forEach(function (f) { f.classList.remove("fila-actual"); f.removeAttribute("aria-current"); });
      var fila = filas[indice];
      fila.classList.add("fila-actual");
      fila.setAttribute("aria-current", "true");
      var enlace = fila.querySelector("a[data-abrir]");
      if (enlace) { enlace.focus(); }
      if (anuncio) {
        // Clear first so that the same text twice (at either end of the list) is read again.
        anuncio.textContent = "";
        window.setTimeout(function () {
          anuncio.textContent = (anuncio.getAttribute("data-plantilla") || "%(n)s / %(total)s: %(fila)s")
            .replace("%(n)s", String(indice + 1))
            .replace("%(total)s", String(filas.length))
            .replace("%(fila)s", fila.getAttribute("data-anuncio") || "");
        }, 30);
      }
    }

    document.addEventListener("keydown", function (evento) {
      if (evento.ctrlKey || evento.altKey || evento.metaKey || evento.defaultPrevented) { return; }
      if (escribiendo(evento.target)) { return; }
      if (evento.key === "/" && busqueda) {
        evento.preventDefault();
        busqueda.focus();
        busqueda.select();
      } else if ((evento.key === "j" || evento.key === "k") && filas.length) {
        evento.preventDefault();
        var i = actual();
        ir(evento.key === "j" ? i + 1 : (i < 0 ? 0 : i - 1));
      }
    });

    // Bulk selection (directors): "select all" ticks every row of the page.
    var todos = document.querySelector("[data-seleccionar-todos]");
    if (todos) {
      var casillas = Array.prototype.slice.call(document.querySelectorAll("input[data-seleccion]"));
      todos.addEventListener("change", function () {
        casillas.forEach(function (c) { c.checked = todos.checked; });
      });
      casillas.forEach(function (c) {
        c.addEventListener("change", function () {
          var marcadas = casillas.filter(function (x) { return x.checked; }).length;
          todos.checked = marcadas === casillas.length;
          todos.indeterminate = marcadas > 0 && marcadas < casillas.length;
        });
      });
    }
  });
})();

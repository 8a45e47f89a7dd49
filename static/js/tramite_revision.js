// The staff case page, built for checking. Progressive enhancement only: without this file every
// link and button still works (the viewer links reload the page, the checklist has a save button).
//   - the document viewer shows the chosen document without leaving the page;
//   - the checklist is saved as it is ticked (announced in its status line);
//   - a standard observation text is inserted into the reason, to be edited before sending.
(function () {
  "use strict";

  function anunciar(elemento, texto) {
    if (!elemento) { return; }
    elemento.textContent = "";
    window.setTimeout(function () { elemento.textContent = texto; }, 30);
  }

  function visor() {
    var marco = document.querySelector("[data-visor]");
    if (!marco) { return; }
    var enlaces = Array.prototype.slice.call(document.querySelectorAll("a[data-visor-url]"));
    var estado = document.getElementById("visor-estado");
    enlaces.forEach(function (enlace) {
      enlace.addEventListener("click", function (evento) {
        if (evento.ctrlKey || evento.metaKey || evento.shiftKey || evento.button !== 0) { return; }
        evento.preventDefault();
        var titulo = enlace.getAttribute("data-visor-titulo") || "";
        var nuevo;
        if (enlace.getAttribute("data-visor-tipo") === "pdf") {
          nuevo = document.createElement("iframe");
          nuevo.className = "visor-marco";
          nuevo.setAttribute("title", titulo);
        } else {
          nuevo = document.createElement("img");
          nuevo.className = "visor-imagen";
          nuevo.setAttribute("alt", titulo);
        }
        nuevo.setAttribute("src", enlace.getAttribute("data-visor-url"));
        var abrir = marco.querySelector("[data-visor-abrir]");
        marco.querySelectorAll(".visor-marco, .visor-imagen").forEach(function (e) { e.remove(); });
        marco.insertBefore(nuevo, marco.firstChild);
        if (abrir) { abrir.setAttribute("href", enlace.getAttribute("data-visor-url")); }
        enlaces.forEach(function (e) { e.removeAttribute("aria-current"); });
        enlace.setAttribute("aria-current", "true");
        anunciar(estado, (estado && estado.getAttribute("data-plantilla") || "%(doc)s").replace("%(doc)s", titulo));
      });
    });
  }

  function checklist() {
    var form = document.querySelector("form[data-autoguardar]");
    if (!form || !window.fetch || !window.FormData) { return; }
    var estado = document.getElementById("revision-estado");
    var pendiente = null;
    function guardar() {
      var datos = new FormData(form);
      fetch(form.getAttribute("data-autoguardar"), {
        method: "POST",
        body: datos,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (json) {
        anunciar(estado, json.mensaje || "");
      }).catch(function () {
        anunciar(estado, estado ? estado.getAttribute("data-error") || "" : "");
      });
    }
    form.querySelectorAll("[data-checklist] input").forEach(function (input) {
      input.addEventListener("change", function () {
        window.clearTimeout(pendiente);
        pendiente = window.setTimeout(guardar, 150);
      });
    });
  }

  function textosEstandar() {
    document.querySelectorAll("[data-insertar-texto]").forEach(function (boton) {
      var lista = document.getElementById(boton.getAttribute("data-lista"));
      var destino = document.getElementById(boton.getAttribute("data-destino"));
      if (!lista || !destino) { return; }
      boton.hidden = false;
      boton.addEventListener("click", function (evento) {
        evento.preventDefault();
        var opcion = lista.options[lista.selectedIndex];
        var texto = opcion ? opcion.getAttribute("data-texto") : "";
        if (!texto) { lista.focus(); return; }
        destino.value = destino.value.trim() ? destino.value.replace(/\s+$/, "") + "\n\n" + texto : texto;
        destino.focus();
        destino.setSelectionRange(destino.value.length, destino.value.length);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    visor();
    checklist();
    textosEstandar();
  });
})();

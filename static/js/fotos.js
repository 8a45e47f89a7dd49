// Phone photos that just work: before the form is sent, a photo over the size limit, or a HEIC/HEIF
// photo (iPhone), is turned in the browser into a JPEG that fits the limit, with its long side at
// about 2200 px (enough to read a letter) and the EXIF orientation applied. The citizen sees the
// progress. Without JavaScript, or when a conversion fails, the file goes as chosen and the server
// answers with the form, the typed data and a message for that file: the server check is the rule.
//
// Libraries (static/vendor/, pinned in package.json): browser-image-compression 2.0.2 (MIT),
// loaded with this page; libheif-js 1.23.2 (libheif in WebAssembly, LGPL-3.0), loaded only when a
// HEIC photo is chosen (1.5 MB).
(function () {
  "use strict";

  var LADO_MAXIMO = 2200;
  var CALIDAD = 0.85;

  function esHeic(archivo) {
    var nombre = (archivo.name || "").toLowerCase();
    return /image\/hei[cf]/.test(archivo.type) || /\.(heic|heif)$/.test(nombre);
  }

  function esFoto(archivo) {
    return /^image\/(jpeg|png|webp)$/.test(archivo.type) || /\.(jpe?g|png|webp)$/i.test(archivo.name || "");
  }

  var cargandoHeic = null;
  function cargarHeic(urlJs, urlWasm) {
    if (!cargandoHeic) {
      cargandoHeic = new Promise(function (resolver, rechazar) {
        var script = document.createElement("script");
        script.src = urlJs;
        script.onload = function () {
          fetch(urlWasm).then(function (r) {
            if (!r.ok) { throw new Error("libheif.wasm"); }
            return r.arrayBuffer();
          }).then(function (binario) {
            // Emscripten fills in the options object itself and may finish before returning.
            var modulo = { wasmBinary: binario };
            modulo.onRuntimeInitialized = function () { resolver(modulo); };
            window.libheif(modulo);
          }).catch(function (e) { cargandoHeic = null; rechazar(e); });
        };
        script.onerror = function () { cargandoHeic = null; rechazar(new Error("libheif")); };
        document.head.appendChild(script);
      });
    }
    return cargandoHeic;
  }

  // HEIC/HEIF -> a JPEG blob at full size (the primary image, orientation applied by libheif).
  function heicAJpeg(archivo, urls) {
    return Promise.all([cargarHeic(urls.js, urls.wasm), archivo.arrayBuffer()]).then(function (r) {
      var modulo = r[0];
      var imagenes = new modulo.HeifDecoder().decode(new Uint8Array(r[1]));
      if (!imagenes || !imagenes.length) { throw new Error("heic vacío"); }
      var imagen = imagenes[0];
      var ancho = imagen.get_width(), alto = imagen.get_height();
      var lienzo = document.createElement("canvas");
      lienzo.width = ancho; lienzo.height = alto;
      var contexto = lienzo.getContext("2d");
      var datos = contexto.createImageData(ancho, alto);
      return new Promise(function (resolver, rechazar) {
        imagen.display(datos, function (resultado) {
          imagenes.forEach(function (i) { if (i.free) { i.free(); } });
          if (!resultado) { rechazar(new Error("heic ilegible")); return; }
          contexto.putImageData(resultado, 0, 0);
          lienzo.toBlob(function (blob) {
            if (blob) { resolver(blob); } else { rechazar(new Error("canvas")); }
          }, "image/jpeg", 0.92);
        });
      });
    });
  }

  function nombreJpg(nombre) {
    var base = (nombre || "foto").replace(/\.[^.]+$/, "");
    return (base || "foto") + ".jpg";
  }

  function Estado(input) {
    this.input = input;
    this.caja = document.getElementById(input.id + "-conversion");
    this.barra = this.caja ? this.caja.querySelector("progress") : null;
    this.texto = this.caja ? this.caja.querySelector("[data-texto]") : null;
  }
  Estado.prototype.mostrar = function (mensaje, porcentaje) {
    if (!this.caja) { return; }
    this.caja.classList.remove("d-none");
    if (this.texto) { this.texto.textContent = mensaje; }
    if (this.barra) {
      if (porcentaje === null || porcentaje === undefined) { this.barra.removeAttribute("value"); }
      else { this.barra.value = porcentaje; }
    }
  };
  Estado.prototype.ocultarBarra = function () {
    if (this.barra) { this.barra.classList.add("d-none"); }
  };

  function convertir(archivo, maxBytes, urlHeic, alAvanzar) {
    var paso = Promise.resolve(archivo);
    if (esHeic(archivo)) {
      alAvanzar(null, "heic");
      paso = heicAJpeg(archivo, urlHeic);
    }
    return paso.then(function (blob) {
      var entrada = blob instanceof File ? blob : new File([blob], nombreJpg(archivo.name), { type: "image/jpeg" });
      return window.imageCompression(entrada, {
        maxSizeMB: (maxBytes * 0.85) / 1048576,
        maxWidthOrHeight: LADO_MAXIMO,
        initialQuality: CALIDAD,
        fileType: "image/jpeg",
        useWebWorker: false,
        onProgress: function (p) { alAvanzar(p, "jpeg"); }
      });
    }).then(function (jpeg) {
      if (jpeg.size > maxBytes) { throw new Error("sigue grande"); }
      return new File([jpeg], nombreJpg(archivo.name), { type: "image/jpeg", lastModified: Date.now() });
    });
  }

  function preparar(input, formulario) {
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
    var textos = document.getElementById("fotos-textos").dataset;
    var urlHeic = { js: textos.heicUrl, wasm: textos.heicWasm };
    var estado = new Estado(input);
    var t = { preparando: textos.preparando, heic: textos.heic, foto_n: textos.fotoN, listo: textos.listo, fallo: textos.fallo };
    // With this script the browser can turn iPhone photos into JPG, so let the picker offer them.
    input.setAttribute("accept", (input.getAttribute("accept") || "") + ",.heic,.heif,image/heic,image/heif");
    input.addEventListener("change", function () {
      var elegidos = Array.prototype.slice.call(input.files || []);
      var hace = elegidos.filter(function (a) { return esHeic(a) || (esFoto(a) && a.size > maxBytes); });
      if (!hace.length || !window.DataTransfer || !window.imageCompression) { return; }
      var aviso = document.getElementById(input.id + "-aviso");
      if (aviso) { aviso.textContent = ""; aviso.classList.add("d-none"); }
      formulario.dataset.convirtiendo = String((parseInt(formulario.dataset.convirtiendo || "0", 10)) + 1);
      estado.mostrar(t.preparando, 0);
      var listos = [];
      var cadena = Promise.resolve();
      elegidos.forEach(function (archivo, i) {
        cadena = cadena.then(function () {
          if (hace.indexOf(archivo) < 0) { listos.push(archivo); return; }
          return convertir(archivo, maxBytes, urlHeic, function (p, fase) {
            var etiqueta = elegidos.length > 1 ? t.foto_n.replace("%(n)s", i + 1).replace("%(total)s", elegidos.length) + " " : "";
            if (fase === "heic") { estado.mostrar(etiqueta + t.heic, null); }
            else { estado.mostrar(etiqueta + t.preparando + " " + Math.round(p) + " %", p); }
          }).then(function (nuevo) { listos.push(nuevo); });
        });
      });
      cadena.then(function () {
        var dt = new DataTransfer();
        listos.forEach(function (a) { dt.items.add(a); });
        input.files = dt.files;
        var total = listos.reduce(function (s, a) { return s + a.size; }, 0);
        estado.mostrar(t.listo.replace("%(kb)s", Math.round(total / 1024)), 100);
        estado.ocultarBarra();
      }).catch(function (error) {
        if (window.console) { console.warn("fotos.js:", error); }
        estado.mostrar(t.fallo, null);
        estado.ocultarBarra();
      }).then(function () {
        formulario.dataset.convirtiendo = String(parseInt(formulario.dataset.convirtiendo, 10) - 1);
        formulario.dispatchEvent(new Event("fotos:listas"));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var entradas = document.querySelectorAll("input[type=file][data-convertir]");
    if (!entradas.length || !document.getElementById("fotos-textos")) { return; }
    entradas.forEach(function (input) { preparar(input, input.form); });
    // A form sent while a photo is being prepared waits for it (the button says so meanwhile).
    var formularios = new Set(Array.prototype.map.call(entradas, function (i) { return i.form; }));
    formularios.forEach(function (formulario) {
      formulario.addEventListener("submit", function (evento) {
        if (parseInt(formulario.dataset.convirtiendo || "0", 10) > 0) {
          evento.preventDefault();
          var boton = evento.submitter || formulario.querySelector("[type=submit]");
          if (boton) { boton.disabled = true; }
          formulario.addEventListener("fotos:listas", function listo() {
            if (parseInt(formulario.dataset.convirtiendo, 10) > 0) { return; }
            formulario.removeEventListener("fotos:listas", listo);
            if (boton) { boton.disabled = false; }
            if (formulario.requestSubmit) { formulario.requestSubmit(boton || undefined); } else { formulario.submit(); }
          });
        }
      });
    });
  });
})();

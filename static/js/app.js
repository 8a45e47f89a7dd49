// Progressive enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen-reader users hear what went wrong.
  var resumen = document.querySelector("[data-error-summary]");
  if (resumen) { resumen.focus(); }
  // Warn before upload when a chosen file is over the limit (the server checks again).
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.hasAttribute("data-convertir") && window.imageCompression) { return; } // fotos.js converts it
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      var aviso = document.getElementById(input.id + "-aviso");
      if (!aviso) { return; }
      if (input.files.length && input.files[0].size > max) {
        aviso.textContent = aviso.getAttribute("data-mensaje");
        aviso.classList.remove("d-none");
      } else {
        aviso.textContent = "";
        aviso.classList.add("d-none");
      }
    });
  });
});

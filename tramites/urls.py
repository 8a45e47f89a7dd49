"""URL map of the app: `publico` (the citizen's pages, Spanish paths) and `personal` (staff pages,
mounted under /personal/). Names and namespaces are stable: templates, e-mails and tests use them."""

from django.urls import path

from . import views
from .acceso import views as acceso
from .cifras import views_personal as cifras_personal
from .cifras import views_publico as cifras_publico
from .consulta import views as consulta
from .datos_personales import views as datos_personales
from .evaluacion import views as evaluacion
from .quejas import views_personal as quejas_personal
from .quejas import views_publico as quejas_publico
from .resoluciones import views_personal as resoluciones_personal
from .resoluciones import views_publico as resoluciones_publico
from .solicitud import views as solicitud
from .solicitud import views_personal as ventanilla
from .tramitacion import views as tramitacion
from .tramitacion import views_direccion as direccion

publico = (
    [
        path("", views.inicio, name="inicio"),
        path("privacidad/", views.privacidad, name="privacidad"),
        path("solicitud/", solicitud.solicitud, name="solicitud"),
        path("solicitud/miniatura/<str:campo>/", solicitud.retenido_miniatura, name="retenido_miniatura"),
        path("solicitud/revisar/", solicitud.solicitud_revisar, name="solicitud_revisar"),
        path("solicitud/<str:referencia>/enviada/", solicitud.confirmacion, name="confirmacion"),
        path("solicitud/<str:referencia>/comprobante.pdf", solicitud.comprobante, name="comprobante"),
        path("consulta/", consulta.consulta, name="consulta"),
        path("consulta/<str:referencia>/", consulta.consulta_detalle, name="consulta_detalle"),
        path("consulta/<str:referencia>/subsanar/", consulta.subsanar, name="subsanar"),
        path(
            "consulta/<str:referencia>/subsanar/miniatura/<str:campo>/",
            consulta.subsanar_miniatura,
            name="subsanar_miniatura",
        ),
        path(
            "consulta/<str:referencia>/resolucion.pdf",
            resoluciones_publico.resolucion_descarga,
            name="resolucion_descarga",
        ),
        path("verificar/", resoluciones_publico.verificar, name="verificar"),
        path("verificar/<str:codigo>/", resoluciones_publico.verificar_codigo, name="verificar_codigo"),
        path("quejas/nueva/", quejas_publico.queja_nueva, name="queja_nueva"),
        path("quejas/<str:referencia>/enviada/", quejas_publico.queja_enviada, name="queja_enviada"),
        path("transparencia/", cifras_publico.transparencia, name="transparencia"),
        path("transparencia/transparencia.csv", cifras_publico.transparencia_csv, name="transparencia_csv"),
        path(
            "transparencia/transparencia.csv-metadata.json",
            cifras_publico.transparencia_csvw,
            name="transparencia_csvw",
        ),
    ],
    "publico",
)

personal = (
    [
        path("login/", acceso.IngresoView.as_view(), name="login"),
        path("login/totp/", acceso.totp, name="totp"),
        path("login/totp/registrar/", acceso.totp_registrar, name="totp_registrar"),
        path("salir/", acceso.salir, name="logout"),
        path("contrasena/", acceso.ContrasenaCambiarView.as_view(), name="contrasena"),
        path("acceso/registro/<str:uidb64>/<str:token>/", acceso.registro_enlace, name="registro_enlace"),
        path(
            "acceso/contrasena/<str:uidb64>/<str:token>/",
            acceso.ContrasenaRestablecerView.as_view(),
            name="contrasena_restablecer",
        ),
        path("", tramitacion.bandeja, name="bandeja"),
        path("quejas/", quejas_personal.quejas_lista, name="quejas"),
        path("quejas/<str:referencia>/", quejas_personal.queja_detalle, name="queja_detalle"),
        path("quejas/<str:referencia>/tomar/", quejas_personal.queja_tomar, name="queja_tomar"),
        path("quejas/<str:referencia>/responder/", quejas_personal.queja_responder, name="queja_responder"),
        path("estadisticas/", cifras_personal.estadisticas, name="estadisticas"),
        path("estadisticas/estadisticas.csv", cifras_personal.estadisticas_csv, name="estadisticas_csv"),
        path("estadisticas/estadisticas.xlsx", cifras_personal.estadisticas_xlsx, name="estadisticas_xlsx"),
        path("titular/", datos_personales.titular, name="titular"),
        path("titular/derechos/", datos_personales.derechos, name="derechos"),
        path("titular/derechos/<int:pk>/", datos_personales.derecho, name="derecho"),
        path("presencial/nuevo/", ventanilla.presencial_nuevo, name="presencial_nuevo"),
        path("tramites/<str:referencia>/", tramitacion.tramite_detalle, name="tramite"),
        path("tramites/<str:referencia>/recibo/", ventanilla.recibo, name="recibo"),
        path("tramites/<str:referencia>/comprobante.pdf", ventanilla.comprobante, name="comprobante"),
        path("tramites/<str:referencia>/adjuntos/<int:adjunto_id>/", tramitacion.adjunto_ver, name="adjunto"),
        path("tramites/<str:referencia>/acciones/<slug:accion>/", tramitacion.tramite_accion, name="accion"),
        path("tramites/<str:referencia>/reasignar/", tramitacion.tramite_reasignar, name="reasignar"),
        path("tramites/<str:referencia>/subsanar/", tramitacion.tramite_subsanar, name="subsanar"),
        path("tramites/<str:referencia>/revision/", tramitacion.tramite_revision, name="revision"),
        path("tramites/<str:referencia>/trasladar/", direccion.tramite_trasladar, name="trasladar"),
        path("tramites/<str:referencia>/auditoria/", direccion.auditoria_tramite, name="auditoria_tramite"),
        path("reasignar/", direccion.reasignar_lote, name="reasignar_lote"),
        path("carga/", direccion.carga, name="carga"),
        # Assessment and resolution.
        path("tramites/<str:referencia>/evaluacion/", evaluacion.evaluacion, name="evaluacion"),
        path(
            "tramites/<str:referencia>/evaluacion/corregir/",
            evaluacion.evaluacion_corregir,
            name="evaluacion_corregir",
        ),
        path(
            "tramites/<str:referencia>/evaluacion/informes/<int:pk>/",
            evaluacion.informe,
            name="evaluacion_informe",
        ),
        path("tramites/<str:referencia>/resolucion/", resoluciones_personal.resolucion, name="resolucion"),
        path(
            "tramites/<str:referencia>/resoluciones/<str:numero>/revocar/",
            resoluciones_personal.resolucion_corregir,
            name="resolucion_corregir",
        ),
        path(
            "tramites/<str:referencia>/resoluciones/<str:numero>/revocar-sin-reemplazo/",
            resoluciones_personal.resolucion_revocar,
            name="resolucion_revocar",
        ),
        path(
            "tramites/<str:referencia>/resoluciones/<int:pk>/pdf",
            resoluciones_personal.resolucion_pdf,
            name="resolucion_pdf",
        ),
    ],
    "personal",
)

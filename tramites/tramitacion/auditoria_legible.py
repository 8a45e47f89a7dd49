"""The audit trail as staff read it: each event in Spanish, its details as short sentences, filters.

The rows stay as written (codes and a JSON dict, append-only); this module only renders them."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EVENTOS = {
    "ver_tramite": gettext_lazy("Consultó el trámite"),
    "ver_adjunto": gettext_lazy("Abrió un documento"),
    "cambio_estado": gettext_lazy("Cambio de estado"),
    "reasignacion": gettext_lazy("Reasignación de analista"),
    "traslado": gettext_lazy("Traslado a otra oficina"),
    "revision_guardada": gettext_lazy("Guardó la revisión de requisitos"),
    "tramite_registrado": gettext_lazy("Registró la solicitud en ventanilla"),
    "comprobante": gettext_lazy("Descargó el comprobante"),
    "ingreso": gettext_lazy("Inicio de sesión"),
    "ingreso_fallido": gettext_lazy("Inicio de sesión fallido"),
    "ingreso_totp": gettext_lazy("Confirmó el segundo factor"),
    "ingreso_totp_fallido": gettext_lazy("Código del segundo factor incorrecto"),
    "totp_registrado": gettext_lazy("Registró su aplicación de autenticación"),
    "salida": gettext_lazy("Cerró la sesión"),
    "evaluacion_registrada": gettext_lazy("Registró la evaluación médica"),
    "evaluacion_modificada": gettext_lazy("Modificó la evaluación médica"),
    "evaluacion_vista": gettext_lazy("Consultó la evaluación médica"),
    "evaluacion_acceso_denegado": gettext_lazy("Acceso denegado a la evaluación médica"),
    "informe_medico_descargado": gettext_lazy("Descargó un informe médico"),
    "resolucion_emitida": gettext_lazy("Emitió la resolución"),
    "resolucion_revocada": gettext_lazy("Revocó la resolución"),
    "resolucion_vista": gettext_lazy("Consultó la resolución"),
    "resolucion_descargada": gettext_lazy("Descargó la resolución"),
    "queja_recibida": gettext_lazy("Queja recibida"),
    "queja_en_proceso": gettext_lazy("Tomó la queja"),
    "queja_respondida": gettext_lazy("Respondió la queja"),
    "estadisticas_exportadas": gettext_lazy("Exportó estadísticas"),
    "titular_exportado": gettext_lazy("Exportó los datos de un titular"),
    "titular_sin_datos": gettext_lazy("Consulta de titular sin datos"),
    "transparencia_importada": gettext_lazy("Importó cifras de transparencia"),
    "retencion_ejecutada": gettext_lazy("Depuración de datos por retención"),
    "retencion_evaluacion_depurada": gettext_lazy("Depuró datos médicos por retención"),
    "retencion_queja_anonimizada": gettext_lazy("Anonimizó una queja por retención"),
    "retencion_tramite_anonimizado": gettext_lazy("Anonimizó el trámite por retención"),
}

CLAVES = {
    "accion": gettext_lazy("acción"),
    "de": gettext_lazy("de"),
    "a": gettext_lazy("a"),
    "tipo": gettext_lazy("documento"),
    "sha256": gettext_lazy("huella SHA-256"),
    "motivo": gettext_lazy("motivo"),
    "bloqueado": gettext_lazy("cuenta bloqueada"),
    "provincia": gettext_lazy("provincia"),
    "con_tramite": gettext_lazy("con trámite"),
    "decision": gettext_lazy("decisión"),
    "formato": gettext_lazy("formato"),
    "desde": gettext_lazy("desde"),
    "hasta": gettext_lazy("hasta"),
    "filas": gettext_lazy("filas"),
    "campos": gettext_lazy("campos"),
    "informes": gettext_lazy("informes"),
    "informes_nuevos": gettext_lazy("informes nuevos"),
    "reemplaza": gettext_lazy("reemplaza a"),
    "reemplazada_por": gettext_lazy("reemplazada por"),
    "canal": gettext_lazy("canal"),
    "oficina_de": gettext_lazy("de la oficina"),
    "oficina_a": gettext_lazy("a la oficina"),
    "texto_estandar": gettext_lazy("texto estándar"),
    "solicitud": gettext_lazy("solicitud"),
}
EVENTOS["texto_estandar_usado"] = gettext_lazy("Observó con un texto estándar")
CLAVES["editado"] = gettext_lazy("editado antes de enviarlo")
CLAVES["documento_legible"] = gettext_lazy("documento legible")
CLAVES["solicitud_firmada"] = gettext_lazy("solicitud firmada")
CLAVES["solicitud_datos"] = gettext_lazy("datos completos")
CLAVES["tipo_firma"] = gettext_lazy("tipo de firma")
CLAVES["plazo_anios"] = gettext_lazy("plazo en años")
CLAVES["notificaciones_eliminadas"] = gettext_lazy("correos eliminados")
CLAVES["creadas"] = gettext_lazy("creadas")
CLAVES["actualizadas"] = gettext_lazy("actualizadas")


def etiqueta_evento(codigo: str) -> str:
    return str(EVENTOS.get(codigo, codigo.replace("_", " ").capitalize()))


def _valor(clave: str, valor) -> str:
    from ..estados import POR_ACCION, Estado
    from ..models import Adjunto, Queja
    from ..provincias import nombre_provincia

    if isinstance(valor, bool):
        return _("sí") if valor else _("no")
    if valor in (None, ""):
        return "—"
    if isinstance(valor, list | tuple):
        return ", ".join(_valor(clave, v) for v in valor) or "—"
    if isinstance(valor, dict):
        return "; ".join(f"{k}: {_valor(k, v)}" for k, v in valor.items())
    texto = str(valor)
    if clave in ("de", "a"):
        estados = {**dict(Estado.choices), **dict(Queja.EstadoQueja.choices)}
        return str(estados.get(texto, texto))
    if clave == "accion" and texto in POR_ACCION:
        return str(POR_ACCION[texto].etiqueta)
    if clave == "tipo":
        return str(dict(Adjunto.Tipo.choices).get(texto, texto))
    if clave == "sha256":
        return texto[:12] + "…"
    if clave == "provincia":
        return nombre_provincia(texto) or texto
    if clave == "tipo_firma":
        from .forms import TIPOS_FIRMA

        return str(dict(TIPOS_FIRMA).get(texto, texto))
    return texto


def detalle_legible(evento) -> str:
    """The event's details as one readable line: "de: En revisión · a: En evaluación"."""
    detalle = evento.detalle if isinstance(evento.detalle, dict) else {}
    if evento.accion == "cambio_estado" and {"de", "a"} <= set(detalle):
        linea = _("de «%(de)s» a «%(a)s»") % {"de": _valor("de", detalle["de"]), "a": _valor("a", detalle["a"])}
        return linea
    partes = [f"{CLAVES.get(k, k.replace('_', ' '))}: {_valor(k, v)}" for k, v in detalle.items()]
    return " · ".join(partes)


def filas(eventos) -> list[dict]:
    return [
        {
            "creado_en": e.creado_en,
            "usuario_nombre": e.usuario or "—",
            "evento": etiqueta_evento(e.accion),
            "detalle": detalle_legible(e),
        }
        for e in eventos
    ]


class FiltroAuditoriaForm(forms.Form):
    evento = forms.ChoiceField(label=gettext_lazy("Evento"), required=False)
    usuario = forms.ChoiceField(label=gettext_lazy("Usuario"), required=False)
    desde = forms.DateField(
        label=gettext_lazy("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Escriba una fecha válida (día/mes/año).")},
    )
    hasta = forms.DateField(
        label=gettext_lazy("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Escriba una fecha válida (día/mes/año).")},
    )

    def __init__(self, *args, eventos, **kwargs):
        super().__init__(*args, **kwargs)
        codigos = sorted(set(eventos.values_list("accion", flat=True)), key=etiqueta_evento)
        usuarios = sorted(set(eventos.exclude(usuario="").values_list("usuario", flat=True)))
        self.fields["evento"].choices = [("", gettext_lazy("Todos"))] + [(c, etiqueta_evento(c)) for c in codigos]
        self.fields["usuario"].choices = [("", gettext_lazy("Todos"))] + [(u, u) for u in usuarios]

    def clean(self):
        datos = super().clean()
        if datos.get("desde") and datos.get("hasta") and datos["desde"] > datos["hasta"]:
            self.add_error("hasta", _("La fecha final es anterior a la inicial."))
        return datos

    def filtrar(self, eventos):
        from datetime import datetime, time, timedelta

        from django.utils import timezone

        if not self.is_bound or not self.is_valid():
            return eventos
        c = self.cleaned_data
        if c.get("evento"):
            eventos = eventos.filter(accion=c["evento"])
        if c.get("usuario"):
            eventos = eventos.filter(usuario=c["usuario"])
        zona = timezone.get_current_timezone()
        if c.get("desde"):
            eventos = eventos.filter(creado_en__gte=datetime.combine(c["desde"], time.min, tzinfo=zona))
        if c.get("hasta"):
            eventos = eventos.filter(
                creado_en__lt=datetime.combine(c["hasta"] + timedelta(days=1), time.min, tzinfo=zona)
            )
        return eventos

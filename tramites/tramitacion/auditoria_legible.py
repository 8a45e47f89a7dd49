"""The audit trail as staff read it: each event in Spanish, its details as short sentences, filters.

The rows stay as written (codes and a JSON dict, append-only); this module only renders them."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

EVENTOS = {
    "ver_tramite": _lazy("Consultó el trámite"),
    "ver_adjunto": _lazy("Abrió un documento"),
    "cambio_estado": _lazy("Cambio de estado"),
    "reasignacion": _lazy("Reasignación de analista"),
    "traslado": _lazy("Traslado a otra oficina"),
    "revision_guardada": _lazy("Guardó la revisión de requisitos"),
    "tramite_registrado": _lazy("Registró la solicitud en ventanilla"),
    "comprobante": _lazy("Descargó el comprobante"),
    "ingreso": _lazy("Inicio de sesión"),
    "ingreso_fallido": _lazy("Inicio de sesión fallido"),
    "ingreso_totp": _lazy("Confirmó el segundo factor"),
    "ingreso_totp_fallido": _lazy("Código del segundo factor incorrecto"),
    "totp_registrado": _lazy("Registró su aplicación de autenticación"),
    "salida": _lazy("Cerró la sesión"),
    "evaluacion_registrada": _lazy("Registró la evaluación médica"),
    "evaluacion_modificada": _lazy("Modificó la evaluación médica"),
    "evaluacion_vista": _lazy("Consultó la evaluación médica"),
    "evaluacion_acceso_denegado": _lazy("Acceso denegado a la evaluación médica"),
    "informe_medico_descargado": _lazy("Descargó un informe médico"),
    "resolucion_emitida": _lazy("Emitió la resolución"),
    "resolucion_revocada": _lazy("Revocó la resolución"),
    "resolucion_vista": _lazy("Consultó la resolución"),
    "resolucion_descargada": _lazy("Descargó la resolución"),
    "queja_recibida": _lazy("Queja recibida"),
    "queja_en_proceso": _lazy("Tomó la queja"),
    "queja_respondida": _lazy("Respondió la queja"),
    "estadisticas_exportadas": _lazy("Exportó estadísticas"),
    "titular_exportado": _lazy("Exportó los datos de un titular"),
    "titular_sin_datos": _lazy("Consulta de titular sin datos"),
    "transparencia_importada": _lazy("Importó cifras de transparencia"),
    "retencion_ejecutada": _lazy("Depuración de datos por retención"),
    "retencion_evaluacion_depurada": _lazy("Depuró datos médicos por retención"),
    "retencion_queja_anonimizada": _lazy("Anonimizó una queja por retención"),
    "retencion_tramite_anonimizado": _lazy("Anonimizó el trámite por retención"),
}

CLAVES = {
    "accion": _lazy("acción"),
    "de": _lazy("de"),
    "a": _lazy("a"),
    "tipo": _lazy("documento"),
    "sha256": _lazy("huella SHA-256"),
    "motivo": _lazy("motivo"),
    "bloqueado": _lazy("cuenta bloqueada"),
    "provincia": _lazy("provincia"),
    "con_tramite": _lazy("con trámite"),
    "decision": _lazy("decisión"),
    "formato": _lazy("formato"),
    "desde": _lazy("desde"),
    "hasta": _lazy("hasta"),
    "filas": _lazy("filas"),
    "campos": _lazy("campos"),
    "informes": _lazy("informes"),
    "informes_nuevos": _lazy("informes nuevos"),
    "reemplaza": _lazy("reemplaza a"),
    "reemplazada_por": _lazy("reemplazada por"),
    "canal": _lazy("canal"),
    "oficina_de": _lazy("de la oficina"),
    "oficina_a": _lazy("a la oficina"),
    "texto_estandar": _lazy("texto estándar"),
    "solicitud": _lazy("solicitud"),
}
EVENTOS["texto_estandar_usado"] = _lazy("Observó con un texto estándar")
CLAVES["editado"] = _lazy("editado antes de enviarlo")
CLAVES["documento_legible"] = _lazy("documento legible")
CLAVES["solicitud_firmada"] = _lazy("solicitud firmada")
CLAVES["solicitud_datos"] = _lazy("datos completos")
CLAVES["tipo_firma"] = _lazy("tipo de firma")
CLAVES["plazo_anios"] = _lazy("plazo en años")
CLAVES["notificaciones_eliminadas"] = _lazy("correos eliminados")
CLAVES["creadas"] = _lazy("creadas")
CLAVES["actualizadas"] = _lazy("actualizadas")


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
    evento = forms.ChoiceField(label=_lazy("Evento"), required=False)
    usuario = forms.ChoiceField(label=_lazy("Usuario"), required=False)
    desde = forms.DateField(
        label=_lazy("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _lazy("Escriba una fecha válida (día/mes/año).")},
    )
    hasta = forms.DateField(
        label=_lazy("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _lazy("Escriba una fecha válida (día/mes/año).")},
    )

    def __init__(self, *args, eventos, **kwargs):
        super().__init__(*args, **kwargs)
        codigos = sorted(set(eventos.values_list("accion", flat=True)), key=etiqueta_evento)
        usuarios = sorted(set(eventos.exclude(usuario="").values_list("usuario", flat=True)))
        self.fields["evento"].choices = [("", _lazy("Todos"))] + [(c, etiqueta_evento(c)) for c in codigos]
        self.fields["usuario"].choices = [("", _lazy("Todos"))] + [(u, u) for u in usuarios]

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

"""Held files: an accepted upload is kept for the browser session while the rest of its form is
corrected, so nobody has to choose a good file twice. Used by the online form and the window form;
files no request claims are deleted after HELD_FILES_HOURS by tasks.purgar_adjuntos_retenidos."""

from . import services
from .models import Adjunto, Tramite


def retenidos_de(request, *, clave: str) -> dict[str, Adjunto]:
    """The files this session holds for the form stored under `clave`, by field name."""
    ids = request.session.get(clave, {})
    if not ids or not request.session.session_key:
        return {}
    por_id = {
        a.pk: a
        for a in Adjunto.objects.filter(
            pk__in=ids.values(), tramite__isnull=True, sesion=request.session.session_key
        )
    }
    return {campo: por_id[pk] for campo, pk in ids.items() if pk in por_id}


def retener(request, *, clave: str, form, tipos: dict[str, str], retenidos: dict[str, Adjunto]) -> dict:
    """Hold every newly accepted file of `form`, replacing the one held before for that field."""
    if not request.session.session_key:
        request.session.save()
    for campo, archivo in form.archivos_nuevos().items():
        anterior = retenidos.get(campo)
        retenidos[campo] = services.adjunto_guardar(
            archivo=archivo,
            validado=archivo.validado,
            tipo=tipos[campo],
            sesion=request.session.session_key,
            usuario=request.user,
        )
        if anterior is not None:
            _borrar(anterior)
    request.session[clave] = {campo: a.pk for campo, a in retenidos.items()}
    return retenidos


def _borrar(adjunto: Adjunto) -> None:
    adjunto.archivo.delete(save=False)
    adjunto.delete()


def tramite_desde_formulario(
    request, *, clave: str, form, tipos: dict[str, str], retenidos: dict[str, Adjunto], **opciones
) -> Tramite:
    """Create the case of a valid form (services.tramite_create; `opciones` are its canal/usuario).

    A file held from an earlier attempt is claimed as it is; a file uploaded with this request is
    written to storage now and its row inserted with the case, in the same transaction, so a valid
    first attempt holds nothing and writes no session first. Held files that a new upload replaced
    are then deleted, and the session forgets its held files.
    """
    nuevos = form.archivos_nuevos()
    adjuntos = [
        services.adjunto_preparar(
            archivo=nuevos[campo], validado=nuevos[campo].validado, tipo=tipo, usuario=request.user
        )
        if campo in nuevos
        else retenidos[campo]
        for campo, tipo in tipos.items()
    ]
    tramite = services.tramite_create(datos=form.datos_tramite(), adjuntos=adjuntos, **opciones)
    for campo in nuevos:
        if campo in retenidos:
            _borrar(retenidos[campo])
    soltar(request, clave=clave)
    return tramite


def soltar(request, *, clave: str) -> None:
    """Forget the held files once a case has claimed them."""
    request.session.pop(clave, None)

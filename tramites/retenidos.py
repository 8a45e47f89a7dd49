"""Held files: an accepted upload is kept for the browser session while the rest of its form is
corrected, so nobody has to choose a good file twice. Used by the online form and the window form;
files no request claims are deleted after HELD_FILES_HOURS by tasks.purgar_adjuntos_retenidos."""
from . import services
from .models import Adjunto


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
            anterior.archivo.delete(save=False)
            anterior.delete()
    request.session[clave] = {campo: a.pk for campo, a in retenidos.items()}
    return retenidos


def para_el_tramite(request, *, form, tipos: dict[str, str], retenidos: dict[str, Adjunto]) -> list[Adjunto]:
    """The files a valid form hands to services.tramite_create, in field order.

    A file held from an earlier attempt is passed as it is (tramite_create claims it); a file uploaded
    with this request is written to storage now and passed unsaved: its row is inserted with the case,
    in the same transaction, so a valid first attempt holds nothing and writes no session first.
    """
    nuevos = form.archivos_nuevos()
    adjuntos = []
    for campo, tipo in tipos.items():
        if campo in nuevos:
            archivo = nuevos[campo]
            adjuntos.append(
                services.adjunto_preparar(archivo=archivo, validado=archivo.validado, tipo=tipo, usuario=request.user)
            )
        else:
            adjuntos.append(retenidos[campo])
    return adjuntos


def descartar_reemplazados(*, form, retenidos: dict[str, Adjunto]) -> None:
    """Delete the held files that a new upload replaced (after the case was created)."""
    for campo in form.archivos_nuevos():
        anterior = retenidos.get(campo)
        if anterior is not None:
            anterior.archivo.delete(save=False)
            anterior.delete()


def soltar(request, *, clave: str) -> None:
    """Forget the held files once a case has claimed them."""
    request.session.pop(clave, None)

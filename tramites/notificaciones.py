"""E-mails: each is first a Notificacion row with its rendered text, then a task sends it after commit."""

from django.template.loader import render_to_string
from django.utils import translation

from .models import Notificacion


def renderizar(*, plantilla: str, contexto: dict, asunto: str) -> str:
    """The text of an e-mail. Citizens and offices are written to in Spanish, whatever language the
    sender's page was in."""
    with translation.override("es"):
        return render_to_string(f"emails/{plantilla}.txt", {**contexto, "asunto": asunto}).strip() + "\n"


def notificar(
    *,
    destinatario: str,
    asunto: str,
    plantilla: str = "",
    contexto: dict | None = None,
    texto: str | None = None,
    tramite=None,
    queja=None,
) -> Notificacion:
    """Record an e-mail (rendered from `plantilla`, or its `texto` already rendered by renderizar) and
    queue its sending after commit."""
    from .tasks import encolar_tras_commit, enviar_notificacion

    if texto is None:
        texto = renderizar(plantilla=plantilla, contexto=contexto or {}, asunto=asunto)
    notificacion = Notificacion.objects.create(
        destinatario=destinatario, asunto=str(asunto)[:200], texto=texto, tramite=tramite, queja=queja
    )
    encolar_tras_commit(enviar_notificacion, notificacion.pk)
    return notificacion


def notificar_varias(avisos: list[dict]) -> list[Notificacion]:
    """notificar for many e-mails at once (routing a batch): each is still its own row and its own
    message, but the rows are written with one INSERT and one task sends them all after commit.
    Each item has the keyword arguments of notificar."""
    from .tasks import encolar_tras_commit, enviar_notificaciones

    if not avisos:
        return []
    filas = [
        Notificacion(
            destinatario=aviso["destinatario"],
            asunto=str(aviso["asunto"])[:200],
            texto=renderizar(
                plantilla=aviso["plantilla"], contexto=aviso["contexto"], asunto=aviso["asunto"]
            ),
            tramite=aviso.get("tramite"),
            queja=aviso.get("queja"),
        )
        for aviso in avisos
    ]
    filas = Notificacion.objects.bulk_create(filas)
    encolar_tras_commit(enviar_notificaciones, [n.pk for n in filas])
    return filas

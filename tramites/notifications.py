"""E-mails: each is first a Notificacion row with its rendered text, then a task sends it after commit."""
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notificacion


def notificar(
    *,
    destinatario: str,
    asunto: str,
    plantilla: str,
    contexto: dict,
    tramite=None,
    queja=None,
) -> Notificacion:
    from .tasks import encolar_tras_commit, enviar_notificacion

    # Citizens and offices are written to in Spanish, whatever language the sender's page was in.
    with translation.override("es"):
        texto = render_to_string(f"emails/{plantilla}.txt", {**contexto, "asunto": asunto}).strip() + "\n"
    notificacion = Notificacion.objects.create(
        destinatario=destinatario, asunto=str(asunto)[:200], texto=texto, tramite=tramite, queja=queja
    )
    encolar_tras_commit(enviar_notificacion, notificacion.pk)
    return notificacion

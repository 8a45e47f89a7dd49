"""Helpers for tests of routing, deadlines and notifications: cases and staff made directly in the
database (the intake form and its files are tested in test_solicitud.py)."""
from contextlib import contextmanager
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tramites import referencias
from tramites.estados import Estado
from tramites.models import PerfilPersonal, Tramite
from tramites.plazos import sumar_dias_habiles

_secuencia = count(1)


def tramite_nuevo(*, provincia: str = "17", estado: str = Estado.INGRESADO, **campos) -> Tramite:
    n = next(_secuencia)
    ahora = campos.pop("creado_en", None) or timezone.now()
    datos = {
        "referencia": referencias.generar(timezone.localtime(ahora).year),
        "canal": Tramite.Canal.VIRTUAL,
        "estado": estado,
        "tipo_identificacion": Tramite.TipoIdentificacion.CEDULA,
        "identificacion": "1710034065",
        "nombres": "María José",
        "apellidos": f"Pérez Andrade {n}",
        "correo": f"ciudadano{n}@example.com",
        "telefono": "+593991234567",
        "provincia": provincia,
        "acepta_tratamiento_datos": True,
        "creado_en": ahora,
        "vence_el": sumar_dias_habiles(timezone.localtime(ahora).date(), 30),
    }
    datos.update(campos)
    return Tramite.objects.create(**datos)


def analista_nuevo(username: str, oficina, *, activo: bool = True, rol: str = "analista"):
    usuario = get_user_model().objects.create_user(
        username=username, password="x-no-importa-123", is_active=activo, email=f"{username}@iess.gob.ec"
    )
    PerfilPersonal.objects.create(usuario=usuario, oficina=oficina)
    usuario.groups.add(Group.objects.get(name=rol))
    return usuario


@contextmanager
def broker_en(url: str, *, eager: bool = False):
    """Point this process's Celery app at another broker. Celery reads CELERY_BROKER_URL from the
    environment before its configuration, so both are changed, and the connection pools dropped."""
    import os

    from reinsercion.celery import app

    def soltar_conexiones():
        app.close()
        app.amqp._producer_pool = None  # close() keeps it when the app's own pool was never made

    antes = (os.environ.get("CELERY_BROKER_URL"), app.conf.broker_url, app.conf.task_always_eager)
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    soltar_conexiones()
    try:
        yield
    finally:
        if antes[0] is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = antes[0]
        app.conf.broker_url, app.conf.task_always_eager = antes[1], antes[2]
        soltar_conexiones()


def grupos_de_roles() -> None:
    """The role groups (a data migration makes them; a transactional test's flush removes them)."""
    from tramites.roles import Rol

    for rol in Rol:
        Group.objects.get_or_create(name=rol.value)

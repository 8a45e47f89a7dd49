"""Helpers for tests of routing, deadlines and notifications: cases and staff made directly in the
database (the intake form and its files are tested in test_solicitud.py)."""
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tramites import references
from tramites.models import PerfilPersonal, Tramite
from tramites.plazos import sumar_dias_habiles
from tramites.states import Estado

_secuencia = count(1)


def tramite_nuevo(*, provincia: str = "17", estado: str = Estado.INGRESADO, **campos) -> Tramite:
    n = next(_secuencia)
    ahora = campos.pop("creado_en", None) or timezone.now()
    datos = {
        "referencia": references.generar(timezone.localtime(ahora).year),
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

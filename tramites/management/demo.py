"""Demo data for the embedded default: offices, the province map and staff users. Idempotent."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from ..models import Oficina, PerfilPersonal, ProvinciaOficina
from ..provincias import PROVINCIAS
from ..roles import Rol

DEMO_PASSWORD = "Demo-Reinsercion-2026"
PROVINCIAS_DEMO = {"17": "pichincha", "09": "guayas"}
_SIGLAS = {
    "01": "AZU", "02": "BOL", "03": "CAN", "04": "CAR", "05": "COT", "06": "CHI", "07": "ORO", "08": "ESM",
    "09": "GUA", "10": "IMB", "11": "LOJ", "12": "RIO", "13": "MAN", "14": "MOR", "15": "NAP", "16": "PAS",
    "17": "PIC", "18": "TUN", "19": "ZAM", "20": "GAL", "21": "SUC", "22": "ORE", "23": "SDT", "24": "STE",
}


def _slug(nombre: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", nombre).encode("ascii", "ignore").decode().lower()
    return "-".join(s.split())[:20]


@transaction.atomic
def cargar_oficinas() -> Oficina:
    nacional, _ = Oficina.objects.get_or_create(
        codigo="dsgrt",
        defaults={
            "nombre": "Dirección del Seguro General de Riesgos del Trabajo",
            "tipo": Oficina.Tipo.NACIONAL,
            "siglas": "DSGRT",
            "correo": "dsgrt@iess.gob.ec",
        },
    )
    for codigo, nombre in PROVINCIAS.items():
        oficina, _ = Oficina.objects.get_or_create(
            codigo=_slug(nombre),
            defaults={
                "nombre": f"Coordinación Provincial de Prestaciones de Riesgos del Trabajo de {nombre}",
                "tipo": Oficina.Tipo.PROVINCIAL,
                "siglas": f"CPRT-{_SIGLAS[codigo]}",
                "correo": f"riesgos.{_slug(nombre)}@iess.gob.ec",
            },
        )
        ProvinciaOficina.objects.get_or_create(provincia=codigo, defaults={"oficina": oficina})
    # Province 30 (abroad) belongs to the national direction.
    ProvinciaOficina.objects.get_or_create(provincia="30", defaults={"oficina": nacional})
    return nacional


def _usuario(username: str, nombre: str, apellido: str, oficina: Oficina, roles: list[str]) -> None:
    User = get_user_model()
    user, creado = User.objects.get_or_create(
        username=username, defaults={"first_name": nombre, "last_name": apellido, "email": f"{username}@iess.gob.ec"}
    )
    if creado:
        user.set_password(DEMO_PASSWORD)
        user.save()
    PerfilPersonal.objects.update_or_create(usuario=user, defaults={"oficina": oficina})
    user.groups.add(*Group.objects.filter(name__in=roles))


@transaction.atomic
def cargar_usuarios() -> list[tuple[str, str]]:
    nacional = cargar_oficinas()
    creados = []
    nombres = {
        Rol.VENTANILLA: ("Verónica", "Ventanilla"),
        Rol.ANALISTA: ("Andrés", "Analista"),
        Rol.EVALUADOR: ("Elena", "Evaluadora"),
        Rol.DIRECTOR: ("Diego", "Director"),
    }
    for codigo, sufijo in PROVINCIAS_DEMO.items():
        oficina = ProvinciaOficina.objects.get(provincia=codigo).oficina
        for rol, (nombre, apellido) in nombres.items():
            username = f"{rol.value}.{sufijo}"
            _usuario(username, nombre, f"{apellido} {sufijo.title()}", oficina, [rol.value])
            creados.append((username, str(rol.label)))
    _usuario("supervisor.nacional", "Sofía", "Supervisora Nacional", nacional, [Rol.SUPERVISOR.value])
    creados.append(("supervisor.nacional", str(Rol.SUPERVISOR.label)))
    User = get_user_model()
    admin, creado = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@iess.gob.ec"}
    )
    if creado:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    creados.append(("admin", "Administrador (Django admin)"))
    return creados

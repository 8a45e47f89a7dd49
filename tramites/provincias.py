"""The province codes of the cédula (docs/dominio.md); `30` is Ecuadorians registered abroad."""
from django.utils.translation import gettext_lazy as _

PROVINCIAS: dict[str, str] = {
    "01": "Azuay",
    "02": "Bolívar",
    "03": "Cañar",
    "04": "Carchi",
    "05": "Cotopaxi",
    "06": "Chimborazo",
    "07": "El Oro",
    "08": "Esmeraldas",
    "09": "Guayas",
    "10": "Imbabura",
    "11": "Loja",
    "12": "Los Ríos",
    "13": "Manabí",
    "14": "Morona Santiago",
    "15": "Napo",
    "16": "Pastaza",
    "17": "Pichincha",
    "18": "Tungurahua",
    "19": "Zamora Chinchipe",
    "20": "Galápagos",
    "21": "Sucumbíos",
    "22": "Orellana",
    "23": "Santo Domingo de los Tsáchilas",
    "24": "Santa Elena",
}
EXTERIOR = "30"

PROVINCIA_CHOICES: list[tuple[str, str]] = [
    *sorted(PROVINCIAS.items(), key=lambda item: item[1]),
    (EXTERIOR, _("Ecuatorianos en el exterior")),
]


def nombre_provincia(codigo: str) -> str:
    return str(dict(PROVINCIA_CHOICES).get(codigo, codigo))

"""Public case references: the year, 8 random characters and a check character, e.g. `2026-7KQM-3XPA-R`.

The alphabet has no look-alikes (no 0/O, 1/I/L), so a reference can be read aloud or over the phone.
The check character is a weighted sum modulo 31 (a prime): it catches every single wrong character
and every swap of two neighbouring characters.
"""

import re
import secrets

ALFABETO = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_BASE = len(ALFABETO)  # 31
_VALOR = {c: i for i, c in enumerate(ALFABETO)}
_FORMA = re.compile(rf"^(\d{{4}})([{ALFABETO}]{{8}})([{ALFABETO}])$")


def _control(anio: int, cuerpo: str) -> str:
    total = anio + sum((i + 1) * _VALOR[c] for i, c in enumerate(cuerpo))
    return ALFABETO[total % _BASE]


def generar(anio: int, *, prefijo: str = "") -> str:
    cuerpo = "".join(secrets.choice(ALFABETO) for _ in range(8))
    return f"{prefijo}{anio}-{cuerpo[:4]}-{cuerpo[4:]}-{_control(anio, cuerpo)}"


def normalizar(texto: str, *, prefijo: str = "") -> str | None:
    """The canonical form of a typed reference, or None if it is malformed or its check fails."""
    limpio = re.sub(r"[\s\-_.]", "", (texto or "").upper())
    if prefijo:
        if not limpio.startswith(prefijo.replace("-", "")):
            return None
        limpio = limpio[len(prefijo.replace("-", "")) :]
    m = _FORMA.match(limpio)
    if not m:
        return None
    anio, cuerpo, control = int(m.group(1)), m.group(2), m.group(3)
    if _control(anio, cuerpo) != control:
        return None
    return f"{prefijo}{anio}-{cuerpo[:4]}-{cuerpo[4:]}-{control}"

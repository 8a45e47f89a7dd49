"""Identification numbers and phones of the applicant.

Cédula rule (docs/adr/0001-cedula-persona-natural.md): province 01–24 or 30 (registered abroad),
third digit 0–6 (0–5 Ecuadorian citizens, 6 foreign residents: this procedure is open to
foreigners), and python-stdnum's `ec.ci` check digit. stdnum alone would also take province 50,
which is no province.
"""
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.ec import ci
from stdnum.exceptions import ValidationError as StdnumError

from .provincias import EXTERIOR, PROVINCIAS

# The third digit of a person's cédula: 0–5 Ecuadorian citizens, 6 foreign residents.
TERCER_DIGITO_PERSONA = frozenset("0123456")
_CODIGO_EXTRANJERO = re.compile(r"^[A-Z0-9]{4,20}$")


def validar_cedula(valor: str) -> str:
    numero = re.sub(r"[\s-]", "", valor or "")
    if not numero.isdigit() or len(numero) != 10:
        raise ValidationError(_("La cédula tiene 10 dígitos, sin letras ni espacios."), code="cedula_formato")
    if numero[:2] not in PROVINCIAS and numero[:2] != EXTERIOR:
        raise ValidationError(
            _("El número de cédula no es válido: los dos primeros dígitos no corresponden a una provincia."),
            code="cedula_provincia",
        )
    if numero[2] not in TERCER_DIGITO_PERSONA:
        raise ValidationError(
            _(
                "El número no corresponde a la cédula de una persona: el tercer dígito de una cédula es "
                "de 0 a 6."
            ),
            code="cedula_persona_natural",
        )
    try:
        numero = ci.validate(numero)
    except StdnumError as exc:
        raise ValidationError(
            _("El número de cédula no es válido: revise que esté bien escrito."), code="cedula_invalida"
        ) from exc
    return numero


def validar_codigo_extranjero(valor: str) -> str:
    codigo = re.sub(r"[\s-]", "", valor or "").upper()
    if not _CODIGO_EXTRANJERO.match(codigo):
        raise ValidationError(
            _("El código de identificación para extranjeros tiene de 4 a 20 letras o números, sin espacios."),
            code="codigo_extranjero",
        )
    return codigo


def normalizar_telefono(valor: str) -> str:
    """Parse an Ecuadorian mobile or landline (or an international number with +) into E.164."""
    texto = (valor or "").strip()
    try:
        numero = phonenumbers.parse(texto, "EC")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Escriba un teléfono válido, por ejemplo 0991234567 (celular) o 022345678 (fijo)."), code="telefono"
        ) from exc
    if not phonenumbers.is_valid_number(numero):
        raise ValidationError(
            _("Escriba un teléfono válido, por ejemplo 0991234567 (celular) o 022345678 (fijo)."), code="telefono"
        )
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.E164)


def mostrar_telefono(e164: str) -> str:
    if not e164:
        return ""
    try:
        numero = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if numero.country_code == 593:
        return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def enmascarar(identificacion: str) -> str:
    """`1710034065` → `17******65`: enough for a person to recognise, not to read it off."""
    if len(identificacion) <= 4:
        return "*" * len(identificacion)
    return identificacion[:2] + "*" * (len(identificacion) - 4) + identificacion[-2:]


# Quipux document numbers: institution, unit (one or more parts), year, sequence, type letter,
# e.g. IESS-DSGRT-2022-0409-M or IESS-CPRT-PIC-2026-0012-OF.
_QUIPUX = re.compile(r"^[A-Z]{2,10}(?:-[A-Z0-9]{1,12}){1,3}-(?:19|20)\d{2}-\d{1,6}-[A-Z]{1,3}$")


def validar_quipux(valor: str) -> str:
    numero = re.sub(r"\s+", "", valor or "").upper()
    if not _QUIPUX.match(numero):
        raise ValidationError(
            _("El número Quipux no tiene el formato esperado, por ejemplo IESS-DSGRT-2022-0409-M."),
            code="quipux",
        )
    return numero

"""Accessible form rendering: Bootstrap classes plus aria-describedby/aria-invalid on every widget."""
from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def widget_accesible(campo, extra_class: str = ""):
    widget = campo.field.widget
    tipo = campo.widget_type
    if tipo in ("checkbox",):
        clase = "form-check-input"
    elif tipo in ("radioselect",):
        clase = "form-check-input"
    elif tipo == "select":
        clase = "form-select"
    else:
        clase = "form-control"
    if campo.errors:
        clase += " is-invalid"
    describe = []
    if campo.help_text:
        describe.append(f"{campo.auto_id}-ayuda")
    if campo.errors:
        describe.append(f"{campo.auto_id}-error")
    attrs = {"class": f"{clase} {extra_class}".strip()}
    if describe:
        attrs["aria-describedby"] = " ".join(describe)
    if campo.errors:
        attrs["aria-invalid"] = "true"
    if campo.field.required and tipo not in ("radioselect",):
        attrs["aria-required"] = "true"
    max_bytes = getattr(campo.field, "max_bytes", None)
    if tipo == "clearablefile" or tipo == "file":
        if max_bytes:
            attrs["data-max-bytes"] = str(max_bytes)
    del widget
    return campo.as_widget(attrs=attrs)


@register.filter
def tamano_legible(n: int) -> str:
    if n is None:
        return ""
    if n >= 1_048_576:
        # The decimal mark of the page's language: "3,0 MB" in Spanish, "3.0 MB" in English.
        return f"{number_format(n / 1_048_576, 1)} MB"
    return f"{max(1, round(n / 1024))} KB"

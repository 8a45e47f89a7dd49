"""The one PDF pipeline: a Django template rendered to a tagged PDF/UA-1 by WeasyPrint, plus QR codes.

Tagged output (structure tree, /Lang, title shown by the viewer) lets screen readers read receipts and
resolutions. Rendering never touches the network: templates may use data: URIs and static files only.
"""

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# PDF/UA-1 implies pdf_tags=True and PDF 1.7, and writes the pdfuaid XMP entry.
PDF_VARIANT = "pdf/ua-1"
QR_SIZE_MM = 30  # printed side of the QR code, quiet zone included
DEFAULT_TITLE = "Documento del IESS"

_local = threading.local()


def _font_config() -> FontConfiguration:
    # One per thread: building it costs ~7 ms per document, and Pango font maps are not thread-safe.
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


class LocalOnlyFetcher(URLFetcher):
    """Serves data: URIs and static files from disk; refuses every other URL.

    Rendering happens inside a request or a worker: fetching from the network would be slow, could
    dead-lock a single-threaded server fetching from itself, and would let template data reach
    arbitrary hosts or files. A URL under STATIC_URL (absolute or relative to the base URL) is read
    from the static files on disk, so `{% static %}` works in PDF templates.
    """

    def __init__(self):
        super().__init__(allowed_protocols=("data",), fail_on_errors=False)

    def fetch(self, url, headers=None):
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        path = self._static_path(url)
        if path is None:
            raise ValueError(f"Recurso no permitido en un PDF (solo data: y archivos estáticos): {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    @staticmethod
    def _static_path(url: str) -> Path | None:
        parts = urlsplit(url)
        static_url = urlsplit(settings.STATIC_URL).path
        if parts.scheme in ("http", "https") and parts.path.startswith(static_url):
            relative = unquote(parts.path[len(static_url) :])
            try:
                found = finders.find(relative)
            except SuspiciousFileOperation:  # a path that climbs out of the static roots
                return None
            if found:
                return Path(found)
            candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
            root = Path(settings.STATIC_ROOT).resolve()
            return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
        if parts.scheme == "file":
            candidate = Path(url2pathname(parts.path)).resolve()
            roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
            roots.append(Path(settings.STATIC_ROOT).resolve())
            if candidate.is_file() and any(candidate.is_relative_to(r) for r in roots):
                return candidate
        return None


def render_pdf_from_string(
    html: str, *, base_url: str | None = None, title: str | None = None, lang: str = "es"
) -> bytes:
    """HTML to tagged PDF/UA-1 bytes.

    The PDF title is `title` when given, else the HTML <title>; the language is <html lang> when the
    document has one, else `lang`. Relative URLs resolve against `base_url` (default PUBLIC_BASE_URL).
    """
    document = HTML(
        string=html,
        base_url=base_url or settings.PUBLIC_BASE_URL + "/",
        url_fetcher=LocalOnlyFetcher(),
    ).render(font_config=_font_config(), pdf_variant=PDF_VARIANT)
    metadata = document.metadata
    if title:
        metadata.title = title
    elif not metadata.title:
        metadata.title = DEFAULT_TITLE  # PDF/UA requires a title; a template without one is a bug
    if not metadata.lang:
        metadata.lang = lang
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=True)


def render_pdf(
    template_name: str,
    context: dict,
    *,
    base_url: str | None = None,
    title: str | None = None,
    lang: str = "es",
) -> bytes:
    """Render a Django template (e.g. "pdf/resolucion.html") to tagged PDF bytes."""
    html = render_to_string(template_name, context)
    return render_pdf_from_string(html, base_url=base_url, title=title, lang=lang)


def qr_svg_data_uri(url: str, *, size_mm: float = QR_SIZE_MM) -> str:
    """A QR code of `url` as an SVG data URI that prints `size_mm` wide (quiet zone included).

    Vector SVG prints sharper than PNG and WeasyPrint renders both in the same time (measured ~53 ms
    per page either way). Use it as <img src="…" alt="…">; the alt text is what a screen reader says.
    """
    qr = segno.make(url, error="m")
    border = 4  # the quiet zone the QR standard asks for
    modules = qr.symbol_size(scale=1, border=border)[0]
    return qr.svg_data_uri(scale=size_mm / modules, border=border, unit="mm")

"""HTML to PDF with WeasyPrint, fetching nothing from outside portal/static.

Letters hold text that staff typed (reasons) and that requesters typed (names, in
later letters). Jinja's autoescaping makes that text, never markup; this module is the
second wall: whatever reaches WeasyPrint's URL fetcher (an <img>, a stylesheet link,
a CSS url(), an attachment, an SVG <use>) is served only if it resolves to a regular
file inside portal/static. Everything else is refused without opening a socket or a
file: http(s), ftp, data:, file:// outside static (also through "..", symlinks or a
host part). There is no redirect to follow: nothing is ever fetched over a network.

Fonts come from the system (fontconfig), not through the fetcher: the letter asks for
DejaVu Sans (Debian's fonts-dejavu-core), with the default sans-serif as fallback.
WeasyPrint embeds (subsets) every font it uses into the PDF.

Metadata: only what the template puts in <title> (a neutral word such as "Besluit"),
WeasyPrint's own producer, and the creation date. No author, no names.
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import ImageFile

_TRUNCATED = ImageFile.LOAD_TRUNCATED_IMAGES
from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

# WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when it is
# imported; letters hold no images, and the upload check must never accept a truncated
# image (portal/documents/uploads.py resets it too).
ImageFile.LOAD_TRUNCATED_IMAGES = _TRUNCATED

log = logging.getLogger(__name__)

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()


class RefusedFetch(ValueError):
    """A resource outside portal/static was asked for (WeasyPrint logs and skips it)."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files under one directory and nothing else.

    `refused` and `served` list what was asked (for tests and for the log line)."""

    def __init__(self, root: Path = STATIC_ROOT):
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.root = Path(root).resolve()
        self.refused: list[str] = []
        self.served: list[str] = []

    def resolve(self, url: str) -> Path | None:
        """The file `url` names if it is a regular file under the root, else None."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def fetch(self, url, headers=None):  # noqa: ARG002 (WeasyPrint's signature)
        path = self.resolve(url)
        if path is None:
            self.refused.append(url[:200])
            raise RefusedFetch("resource outside portal/static refused")
        self.served.append(url[:200])
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    # WeasyPrint calls the fetcher; urllib's open() must never be reached.
    def open(self, url, data=None, timeout=None):  # noqa: ARG002
        return self.fetch(url if isinstance(url, str) else url.full_url)


def render_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Render an HTML string (already escaped by Jinja) to PDF bytes."""
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf()
    if fetcher.refused:
        # What was refused is not logged (it may hold a requester's text), only how many.
        log.warning("PDF rendering refused %d resource(s) outside portal/static", len(fetcher.refused))
    return pdf

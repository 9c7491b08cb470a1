"""The only way a printed page may load anything: ``data:`` URLs and regular files under allowed folders.

WeasyPrint's default fetcher opens any URL a layout names: ``<a rel="attachment"
href="file:///etc/shadow">`` would embed a readable local file in a shared PDF,
``<img src="http://127.0.0.1:…">`` would make requests from the print machine.
Layouts are staff-edited, so this fetcher serves ``data:`` URLs and files whose
real path (symlinks resolved, ``..`` collapsed) lies under an allowed folder, and
refuses everything else. A refusal stops the document: WeasyPrint would drop a
missing image with a log line, but a print run with a hole in it (or a layout
trying to reach outside) is something the user must hear about. Imported only
by ``pdf.py`` when printing: WeasyPrint is slow to import.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from outreach.errors import PrintError
from outreach.i18n import _

MAX_BYTES = 64 << 20
"""The largest file a layout may load (a font or a photo is a few MB)."""


class LocalFetcher(URLFetcher):
    """Serves ``data:`` URLs and regular files under ``roots``; records and refuses every other URL."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]
        self.refused: list[tuple[str, str]] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, _("only data: URLs and files under templates/ may be used (no network)"))
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return self._refuse(url, _("a file on another host"))
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            return self._refuse(url, _("outside the deployment's templates/"))
        if not path.is_file():
            return self._refuse(url, _("not an existing regular file"))
        if path.stat().st_size > MAX_BYTES:
            return self._refuse(url, _("larger than {size} MB").format(size=MAX_BYTES >> 20))
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

    def _refuse(self, url: str, why: str) -> URLFetcherResponse:
        self.refused.append((url, why))
        raise FatalURLFetchingError(f"refused {url}: {why}")


def refused_error(refused: list[tuple[str, str]]) -> PrintError:
    """The one-line error for a layout that named a URL it may not load (the first such, and how many more)."""
    url, why = refused[0]
    shown = url if len(url) <= 120 else url[:117] + "..."
    if len(refused) > 1:
        return PrintError(_("the layout refers to {url}: {why}; nothing was printed (and {more} more)").format(
            url=shown, why=why, more=len(refused) - 1))
    return PrintError(_("the layout refers to {url}: {why}; nothing was printed").format(url=shown, why=why))

"""Several PDFs into one, written as they come: memory does not grow with the number of pages.

pypdf's writer keeps every merged page, font and image until the file is
written, so a 20,000-card run held them all. Here each chunk's PDF is read with
pypdf, the objects its pages need are written to the output at once (renumbered
after those already written) and the chunk is let go; what stays in memory is a
file offset per object and a reference per page, for the page tree and the
cross-reference table written at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, StreamObject

CATALOG, PAGES = 1, 2
HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


class _Ref(IndirectObject):
    """A reference to an object of the output file (written as ``n 0 R``; never resolved here)."""

    def __init__(self, number: int) -> None:
        super().__init__(number, 0, None)  # type: ignore[arg-type]


class StreamingMerger:
    """Append PDFs page by page to an open binary file; ``close`` writes the page tree and the trailer."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._offsets: dict[int, int] = {}
        self._pages: list[int] = []
        self._next = PAGES + 1
        out.write(HEADER)

    @property
    def pages(self) -> int:
        return len(self._pages)

    def _number(self) -> int:
        self._next += 1
        return self._next - 1

    def _write(self, number: int, obj: Any) -> None:
        self._offsets[number] = self._out.tell()
        self._out.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self._out)
        self._out.write(b"\nendobj\n")

    def append(self, pdf: Path) -> None:
        """Every page of ``pdf``, with what its pages refer to (fonts, images, contents)."""
        reader = PdfReader(pdf)
        numbers: dict[int, int] = {}
        waiting: list[IndirectObject] = []

        def renumber(value: Any) -> Any:
            if isinstance(value, IndirectObject):
                if value.idnum not in numbers:
                    numbers[value.idnum] = self._number()
                    waiting.append(value)
                return _Ref(numbers[value.idnum])
            if isinstance(value, StreamObject):
                copy = StreamObject()
                copy._data = value._data  # the encoded bytes, written as they are
                copy.update({key: renumber(item) for key, item in value.items()})
                return copy
            if isinstance(value, DictionaryObject):
                return DictionaryObject({key: renumber(item) for key, item in value.items()})
            if isinstance(value, ArrayObject):
                return ArrayObject(renumber(item) for item in value)
            return value

        numbers[reader.trailer["/Root"].raw_get("/Pages").idnum] = PAGES
        pages = list(reader.pages)
        for page in pages:
            numbers[page.indirect_reference.idnum] = self._number()
            self._pages.append(numbers[page.indirect_reference.idnum])
        for page in pages:
            fields = {key: renumber(item) for key, item in page.items() if key != "/Parent"}
            self._write(numbers[page.indirect_reference.idnum],
                        DictionaryObject({**fields, NameObject("/Parent"): _Ref(PAGES)}))
            while waiting:
                ref = waiting.pop()
                self._write(numbers[ref.idnum], renumber(ref.get_object()))

    def close(self) -> None:
        """The page tree, the catalog, the cross-reference table and the trailer."""
        kids = ArrayObject(_Ref(n) for n in self._pages)
        self._write(PAGES, DictionaryObject({NameObject("/Type"): NameObject("/Pages"), NameObject("/Kids"): kids,
                                             NameObject("/Count"): NumberObject(len(self._pages))}))
        self._write(CATALOG, DictionaryObject({NameObject("/Type"): NameObject("/Catalog"),
                                               NameObject("/Pages"): _Ref(PAGES)}))
        start = self._out.tell()
        size = self._next
        rows = [b"0000000000 65535 f \n"]
        rows += [f"{self._offsets.get(n, 0):010d} 00000 {'n' if n in self._offsets else 'f'} \n".encode()
                 for n in range(1, size)]
        self._out.write(f"xref\n0 {size}\n".encode() + b"".join(rows))
        self._out.write(f"trailer\n<< /Size {size} /Root {CATALOG} 0 R >>\nstartxref\n{start}\n%%EOF\n".encode())

"""Real PDFs for the tests, generated with fpdf2: text pages, an outline, links, an encrypted
file, a scanned-looking file with no text layer, and broken files.

Plain functions returning bytes, so a test can serve them from a loopback server or write them
into the cache; nothing here is a hand-written PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from PIL import Image, ImageDraw


@dataclass
class PdfSpec:
    """What a generated PDF holds. ``pages`` is the text of each page (latin-1; a page's text
    is wrapped to the page width); ``outline`` is ``(title, page index)``; ``links`` is
    ``(page index, label, target)``, drawn as a clickable text line on that page; the target is a
    URL, or a page index (an internal link to the top of that page)."""

    pages: list[str] = field(default_factory=lambda: ["Attention is all you need."])
    outline: list[tuple[str, int]] = field(default_factory=list)
    links: list[tuple[int, str, str | int]] = field(default_factory=list)
    user_password: str | None = None  # encrypted (RC4) so opening needs this password
    owner_password: str | None = None  # encrypted, opens without a password
    title: str = "A generated paper"


def make_pdf(spec: PdfSpec | None = None, **kwargs: object) -> bytes:
    """The bytes of a PDF with a text layer (``make_pdf(pages=[...])`` or a :class:`PdfSpec`)."""
    spec = spec or PdfSpec(**kwargs)  # type: ignore[arg-type]
    pdf = FPDF(format="A4")
    pdf.set_title(spec.title)
    pdf.set_font("Helvetica", size=11)
    sections = {page: title for title, page in spec.outline}
    for index, text in enumerate(spec.pages):
        pdf.add_page()
        if index in sections:
            pdf.start_section(sections[index])
        pdf.multi_cell(0, 6, text)
        for page, label, target in spec.links:
            if page == index:
                link = pdf.add_link(page=target + 1) if isinstance(target, int) else target
                pdf.ln(4)
                pdf.cell(0, 6, label, link=link, new_x="LMARGIN", new_y="NEXT")
    if spec.user_password is not None or spec.owner_password is not None:
        pdf.set_encryption(
            owner_password=spec.owner_password or spec.user_password or "owner",
            user_password=spec.user_password or "",
            encryption_method=EncryptionMethod.RC4,
        )
    return bytes(pdf.output())


def paper_pages(n: int, words: str = "transformer attention", seed: int = 0) -> list[str]:
    """``n`` pages of paper-like text; page ``i`` names itself (``"page-marker-<i>"``) and
    carries ``words`` once, so a search can tell which page it found."""
    filler = (
        "We study sequence transduction models based on recurrent and convolutional networks. "
        "The best performing models also connect the encoder and decoder. "
    )
    return [
        f"Section {i + 1}. page-marker-{i} {words} sample{seed}. " + filler * 12 for i in range(n)
    ]


def make_scanned_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages are pictures of text: it renders, but has no text to extract."""
    pdf = FPDF(format="A4")
    for i in range(pages):
        image = Image.new("L", (600, 800), color=255)
        ImageDraw.Draw(image).text((40, 40), f"Scanned page {i + 1}", fill=0)
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=180)
    return bytes(pdf.output())


def truncated(pdf: bytes) -> bytes:
    """A download cut off half-way (no trailer, no ``%%EOF``)."""
    return pdf[: len(pdf) // 2]


HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>arXiv: error</title></head>"
    b"<body><h1>Not found</h1></body></html>"
)

"""What every PDF export shares: a Chinese font that needs no font file, and a footer with
the title and "page n of m" on every page (reportlab)."""

from django.utils.translation import gettext as _

FONT = "STSong-Light"  # Adobe's standard Simplified Chinese CID font: no font file needed.
_POINTS_PER_MM = 72 / 25.4


def register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def numbered_canvas(title: str, *, margin_mm: float = 18, baseline_mm: float = 10):
    """A canvas class that writes "title … page n of m" at the foot of every page."""
    from reportlab.pdfgen.canvas import Canvas

    margin, baseline = margin_mm * _POINTS_PER_MM, baseline_mm * _POINTS_PER_MM

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                width = self._pagesize[0]
                self.setFont(FONT, 8)
                self.setFillGray(0.35)
                self.drawString(margin, baseline, title)
                self.drawRightString(width - margin, baseline,
                                     _("Page %(page)d of %(pages)d")
                                     % {"page": number, "pages": total})
                super().showPage()
            super().save()

    return NumberedCanvas

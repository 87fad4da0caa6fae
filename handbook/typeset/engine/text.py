"""Every glyph of the PDF maps to text, as PDF/UA asks (ISO 14289-1, 7.21.7).

WeasyPrint 70 gives the second glyph of a cluster that shapes into several (an Arabic letter and
its mark, drawn apart) an empty text in the font's ToUnicode map, which PDF/UA validators reject as
malformed. Such a glyph is mapped to a zero-width joiner: the cluster's text stays with its first
glyph, copied text reads the same, and the map is complete.
"""

from __future__ import annotations

from contextlib import contextmanager

import weasyprint.pdf

JOINER = "\u200d"
NOT_TEXT = {"\ufeff", "\ufffe", "\x00"}


@contextmanager
def complete_text_map():
    original = weasyprint.pdf.build_fonts_dictionary  # as the PDF writer imported it

    def build(pdf, fonts, *args, **kwargs):
        for font in fonts.values():
            for glyph, text in list(font.to_unicode.items()):
                if not text:
                    font.to_unicode[glyph] = JOINER
                elif text in NOT_TEXT:
                    del font.to_unicode[glyph]
        return original(pdf, fonts, *args, **kwargs)

    weasyprint.pdf.build_fonts_dictionary = build
    try:
        yield
    finally:
        weasyprint.pdf.build_fonts_dictionary = original

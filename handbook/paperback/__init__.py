"""The print-on-demand paperback edition: the geometry of its pages and cover, its interior laid out
at a trim size as PDF/X-4, its cover wrap, and what a print service is told. `outputs/paperback.py`
makes it from the book; `geometry` holds the publishers' figures."""

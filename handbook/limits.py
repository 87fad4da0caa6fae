"""Every limit a build enforces, in one place, each with the reason for its value.

Chapters come from people the project does not know, and CI builds them: no input may make a build
hang, crawl or exhaust memory. Each limit is far above what a real career handbook needs (the
handbook itself is given for scale) and below what would hurt a 2-core machine. Passing one is an
error at the file and line concerned, never a traceback.
"""

from __future__ import annotations

KIB, MIB = 1024, 1024 * 1024

# A chapter of 2 MiB is about 300,000 words, ten times the whole handbook (about 33,000 words).
CHAPTER_BYTES = 2 * MIB
# The book's metadata file and front matter are a few hundred bytes each.
METADATA_BYTES = 256 * KIB
# Chapters in one book: the handbook has 13; a 200-chapter book lays out for many minutes already.
CHAPTERS = 200
# Files walked in the book and layouts folders to tell whether anything changed; a book folder
# holds its chapters and pictures (tens of files), not a whole disk.
FOLDER_FILES = 5_000
# Folder depth walked below the book folder (images/2026/spring/ is 3).
FOLDER_DEPTH = 8

# Pictures: a 20 MiB file is already far beyond a printed page's needs at 300 dpi; 40 megapixels
# (about 7,700 x 5,200) is Pillow's own warning level for decompression bombs, checked from the
# header before any pixel is decoded.
PICTURE_BYTES = 20 * MIB
PICTURE_PIXELS = 40_000_000
# SVG: a text format; 2 MiB of drawing is a very detailed chart.
SVG_BYTES = 2 * MIB

# Markdown structure. Nesting deeper than 32 (lists in quotes in emphasis...) is never writing, and
# the typesetter's box tree recurses once per level.
NESTING = 32
# Ids and titles are read by people: 100 characters make an unwieldy id, 300 an unwieldy title.
ID_CHARS = 100
TITLE_CHARS = 300
# The paperback's back cover holds about 1,600 characters of its type on 5.5 x 8.5 in; the text
# printed there (`back_cover`, else `description`) keeps a margin below that. The handbook's: 730.
BACK_COVER_CHARS = 1_200
# Per chapter: the handbook's longest chapter has 9 footnotes and 3 checklists of up to 16 items.
FOOTNOTES_PER_CHAPTER = 500
CHECKLIST_ITEMS_PER_CHAPTER = 400
CHECKLIST_ITEMS = 100  # in one checklist: a printed sheet holds about 25
LINKS_PER_CHAPTER = 5_000
# A web address is printed after its link and as a QR code: the largest QR code (error level M) holds
# 2,331 bytes, and no reader types an address of 2,000 characters.
URL_BYTES = 2_000
# A QR code is printed 0.8 in wide (layouts/print/handbook.css): version 15 (77 modules and its
# border) keeps each module about 0.25 mm, what a phone camera reads from paper; at error level M it
# holds about 410 bytes. A longer address still prints, with a warning that its code may not scan.
QR_VERSION = 15

# Reading: files are read in pieces of this size, so the input digest never holds a whole file.
READ_CHUNK = 1 * MIB

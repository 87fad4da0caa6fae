"""Publish a career handbook from Markdown chapters: PDF, EPUB 3, checklists and a web edition."""

__version__ = "0.1.0"

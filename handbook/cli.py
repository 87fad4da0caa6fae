"""The command line: the only place that prints diagnostics and picks exit codes."""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

from handbook.errors import BuildError, HandbookError
from handbook.paperback.geometry import DEFAULT_STOCK, DEFAULT_TRIM, STOCKS, TRIMS
from handbook.project import DEFAULT_LAYOUTS, PAPERS, Paperback, Project

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="handbook", description="Publish a handbook from Markdown chapters.")
    parser.add_argument("--debug", action="store_true", help="show a traceback on an unexpected failure")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the PDF, EPUB, checklists and web edition (or the paperback)",
                       description="Build the standard edition (PDF, EPUB, checklists, web edition) into OUT, "
                       "or with --edition paperback the print-on-demand paperback (interior.pdf, cover.pdf, "
                       "README.txt) into OUT/paperback.")
    b.add_argument("--chapters", type=Path, default=Path("chapters"), help="the book folder (default: chapters)")
    b.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    b.add_argument("--layouts", type=Path, default=DEFAULT_LAYOUTS, help="templates and styles")
    b.add_argument("--paper", choices=PAPERS, default="letter", help="page size of the PDFs")
    b.add_argument("--edition", choices=("standard", "paperback"), default="standard",
                   help="standard: PDF, EPUB, checklists, web edition (default); paperback: the print-on-demand "
                   "interior and cover wrap (PDF/X-4) in OUT/paperback")
    b.add_argument("--trim", choices=TRIMS, help=f"paperback trim size in inches (default: {DEFAULT_TRIM})")
    b.add_argument("--paper-stock", choices=STOCKS,
                   help=f"paperback paper, which sets the spine's width (default: {DEFAULT_STOCK})")
    b.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    b.add_argument("--quiet", "-q", action="store_true", help="print only problems")

    c = sub.add_parser("check", help="read and check the sources without writing anything")
    c.add_argument("--chapters", type=Path, default=Path("chapters"))
    c.add_argument("--layouts", type=Path, default=DEFAULT_LAYOUTS)

    k = sub.add_parser("links", help="check internal links, and external ones with --external")
    k.add_argument("--chapters", type=Path, default=Path("chapters"))
    k.add_argument("--external", action="store_true", help="check every external URL on the live web")
    k.add_argument("--allow-private", action="store_true",
                   help="also request loopback, private and link-local addresses (skipped by default)")
    k.add_argument("--json", type=Path, help="write a machine-readable report to FILE")
    k.add_argument("--no-cache", action="store_true", help="ignore cached results of earlier runs")
    k.add_argument("--cache", type=Path, default=Path("build/.linkcache.sqlite"), help="cache file")
    k.add_argument("--strict", action="store_true", help="fail on unverifiable links too")

    v = sub.add_parser("preview", help="serve the web edition on localhost; refresh it when a source changes")
    v.add_argument("--chapters", type=Path, default=Path("chapters"))
    v.add_argument("--out", type=Path, default=Path("build"), help="the preview goes into OUT/.preview")
    v.add_argument("--layouts", type=Path, default=DEFAULT_LAYOUTS)
    v.add_argument("--paper", choices=PAPERS, default="letter")
    v.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0: any free port)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except BuildError as exc:
        _print_all(exc.diagnostics)
        errors = sum(1 for d in exc.diagnostics if d.is_error)
        print(f"handbook: {errors} error{'s' if errors != 1 else ''}; the previous outputs are unchanged",
              file=sys.stderr)
        return EXIT_ERRORS
    except HandbookError as exc:
        print(f"{exc}", file=sys.stderr)
        print("handbook: build failed; the previous outputs are unchanged", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("handbook: interrupted; the previous outputs are unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (RecursionError, MemoryError, OSError) as exc:
        if args.debug:
            raise
        where = getattr(exc, "filename", None)
        what = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        print(f"{where or 'handbook'}: error: {what} (run with --debug for the details)", file=sys.stderr)
        print("handbook: build failed; the previous outputs are unchanged", file=sys.stderr)
        return EXIT_ERRORS
    except Exception as exc:  # noqa: BLE001 - a defect of this program: say so, briefly, and fail cleanly
        if args.debug:
            raise
        print(f"handbook: internal error: {type(exc).__name__}: {exc} (please report it; --debug shows where)",
              file=sys.stderr)
        print("handbook: build failed; the previous outputs are unchanged", file=sys.stderr)
        return EXIT_ERRORS


def _command(args) -> int:
    if args.command == "build":
        return _build(args)
    if args.command == "preview":
        from handbook import preview

        preview.run(args.chapters, args.out, args.layouts, args.paper, args.port,
                    lambda m: print(f"handbook: {m}", file=sys.stderr, flush=True))
        return EXIT_OK
    from handbook.load import read_checked

    book, warnings = read_checked(Project(args.chapters, getattr(args, "layouts", DEFAULT_LAYOUTS)))
    _print_all(warnings)
    if args.command == "check":
        print(f"handbook: {len(book.chapters)} chapters checked; no errors", file=sys.stderr)
        return EXIT_OK
    return _links(args, book)


def _print_all(diagnostics) -> None:
    for d in diagnostics:
        print(str(d), file=sys.stderr)


def quick_gc() -> None:
    """Collect cycles rarely: a build makes millions of objects that live until it ends, and
    Python's collector, scanning them over and over, took a tenth of its time."""
    gc.freeze()  # what the imports made is never garbage: keep it out of every scan
    gc.set_threshold(100_000, 20, 100)


def _build(args) -> int:
    from handbook.build import run

    started = time.monotonic()
    quick_gc()
    progress = None if args.quiet else (lambda m: print(f"  {m}", file=sys.stderr, flush=True))
    paperback = None
    if args.edition == "paperback":
        paperback = Paperback(args.trim or DEFAULT_TRIM, args.paper_stock or DEFAULT_STOCK)
    elif args.trim or args.paper_stock:
        print("handbook: --trim and --paper-stock are for --edition paperback", file=sys.stderr)
        return EXIT_USAGE
    result = run(Project(args.chapters, args.layouts, args.paper, paperback=paperback), args.out, args.force, progress)
    _print_all(result.warnings)
    if result.skipped:
        if not args.quiet:
            print(f"handbook: {args.out / 'paperback' if paperback else args.out} is up to date", file=sys.stderr)
    elif not args.quiet:
        where = args.out / "paperback" if paperback else args.out
        print(f"handbook: wrote {len(result.written)} files to {where} in {time.monotonic() - started:.1f} s",
              file=sys.stderr)
    gc.freeze()  # the process ends now: spare it a last scan of the laid-out book (0.3 s)
    return EXIT_OK


def _links(args, book) -> int:
    if not args.external:
        print(f"handbook: {len(book.links)} links; every internal link resolves", file=sys.stderr)
        return EXIT_OK
    from handbook.linkcheck import check_external

    report = check_external(book, cache_path=None if args.no_cache else args.cache, use_cache=not args.no_cache,
                            progress=lambda m: print(f"  {m}", file=sys.stderr), allow_private=args.allow_private)
    print(report.summary())
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(report.to_json())
    return report.exit_code(args.strict)

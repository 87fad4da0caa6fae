"""Link checking for the book: external URLs on the live web, and internal links of finished files.

    from handbook.linkcheck import check_external, LinkReport
    report = check_external(book, cache_path=Path("build/.linkcache.sqlite"), use_cache=True)
    print(report.summary()); sys.exit(report.exit_code(strict=False))

Modules: settings (the `linkcheck:` metadata), collect (URLs and places), hosts (per-host limits),
fetch (one page: HEAD/GET, retries, redirects), network (offline probe), cache (SQLite),
report (summary, JSON, exit code), pages (ids and links of HTML), private (addresses never requested).
The links inside the finished files are checked by `handbook/checks/files.py`.
"""

from handbook.linkcheck.check import check_external
from handbook.linkcheck.report import LinkReport, Result
from handbook.linkcheck.settings import Settings, parse_settings

__all__ = ["check_external", "LinkReport", "Result", "Settings", "parse_settings"]

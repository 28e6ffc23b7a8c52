"""Command line: `build`, `serve`, `check`, `explain`. The only module that prints or exits.

Exit status: 0 all good; 1 some input was rejected or invalid (every problem printed as
`path:line: message`, everything else still built); 2 wrong usage. `--strict` also fails
on warnings.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from briefing import __version__
from briefing.config import Config, load_site_settings
from briefing.entities import load_index
from briefing.errors import ContentError
from briefing.intake import add_seed, describe
from briefing.pipeline import Report, build, check, default_jobs, explain, load_rules, load_site_registry
from briefing.site import SiteInfo

#: the templates that ship beside the package, used when the current folder has none
BUNDLED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
EPILOG = "exit status: 0 all good; 1 some input rejected or invalid; 2 wrong usage"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build the briefing site from seeds/ through content/ into site/.", epilog=EPILOG
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{build,serve,check,add,explain}")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--content", type=Path, default=Path("content"), help="story folder (default: content)")
        sub.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
        sub.add_argument("-q", "--quiet", action="store_true", help="print problems only, no summary")
        sub.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")

    def building(sub: argparse.ArgumentParser) -> None:
        common(sub)
        sub.add_argument("--seeds", type=Path, default=Path("seeds"), help="raw articles (default: seeds)")
        sub.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
        sub.add_argument(
            "--templates", type=Path, default=Path("templates"), help="Jinja templates (default: templates)"
        )
        sub.add_argument(
            "--jobs",
            type=_positive,
            default=default_jobs(),
            help="processes to compose and render with (default: all cores)",
        )

    build_cmd = commands.add_parser("build", help="seeds -> content -> site (the default)", epilog=EPILOG)
    building(build_cmd)
    serve_cmd = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on change", epilog=EPILOG)
    building(serve_cmd)
    serve_cmd.add_argument("--port", type=_positive, default=8000, help="port (default: 8000)")
    check_cmd = commands.add_parser("check", help="validate content/ only and print every problem", epilog=EPILOG)
    common(check_cmd)
    check_cmd.add_argument(
        "--review", action="store_true", help="also list entities found by discovery, with their sentences"
    )
    add_cmd = commands.add_parser("add", help="store an article (a file, or pasted text on stdin) in seeds/")
    add_cmd.add_argument("file", nargs="?", default="-", help="the article: a .txt or .html file, or - for stdin")
    add_cmd.add_argument("--seeds", type=Path, default=Path("seeds"), help="raw articles (default: seeds)")
    add_cmd.add_argument("--content", type=Path, default=Path("content"), help="for the site registry")
    add_cmd.set_defaults(quiet=True, strict=False)
    explain_cmd = commands.add_parser("explain", help="show every line cleaning removed from seeds, and why")
    explain_cmd.add_argument("names", nargs="+", help="seed files (paths, or names inside --seeds)")
    explain_cmd.add_argument("--seeds", type=Path, default=Path("seeds"))
    explain_cmd.add_argument("--content", type=Path, default=Path("content"), help="for the site registry")
    explain_cmd.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)
    explain_cmd.set_defaults(quiet=True)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number from 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None, *, leftovers: list[object] | None = None) -> int:
    """The command line: run one command, print what it found, and say how it went (the exit
    status). A build hands `leftovers` what it is done with (pipeline.build)."""
    parser = make_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or words[0] not in ("build", "serve", "check", "explain", "add", "-h", "--help", "--version"):
        words.insert(0, "build")  # `python build.py [options]` is `python build.py build [options]`
    args = parser.parse_args(words)
    debug = getattr(args, "debug", False)
    # the libraries' own complaints ("parsed tree length: 0") name no file and say nothing an
    # editor can act on: the build reports each seed's problems itself; --debug shows them all
    logging.basicConfig(level=logging.DEBUG if debug else logging.CRITICAL, format="%(message)s", stream=sys.stderr)
    logging.getLogger("briefing").setLevel(logging.DEBUG if debug else logging.WARNING)
    try:
        if args.command == "add":
            return add(args)
        if args.command == "explain":
            lines, report = explain(Config(seeds=args.seeds, content=args.content), args.names)
            for line in lines:
                print(line)
            return _finish(report, args, "explained")
        config = _config(args)
        if args.command == "check":
            report, items = check(config, review=args.review)
            for item in items:
                print(item)
            return _finish(report, args, "checked")
        info = _site_info()
        if args.command == "serve":
            return serve(config, info, args)
        return _finish(build(config, info=info, leftovers=leftovers), args, "built")
    except ContentError as exc:
        print(exc.diagnostic, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        print(
            f"briefing: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


def run() -> NoReturn:
    """The program (build.py, `python -m briefing`, the `briefing` script): `main`, then an exit
    that does not free the build's objects one by one (a large archive's millions of them took
    most of a second): what the build is done with is handed here (`leftovers`) rather than let
    go as it returns. Nothing is left to close by then: output is flushed, and workers, search
    runs and temporary files are finished with before `main` returns."""
    leftovers: list[object] = []  # never freed: the process ends with os._exit
    status = main(leftovers=leftovers)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # output piped into `head` and the like
        pass
    logging.shutdown()
    os._exit(status)


def add(args: argparse.Namespace) -> int:
    """Store an article in seeds/ and show what the build will make of it."""
    if args.file == "-":
        data, suffix, shown_as = sys.stdin.buffer.read(), ".txt", "stdin"
    else:
        source = Path(args.file)
        if not source.is_file():
            print(f"{args.file}:1: error: no such file", file=sys.stderr)
            return 1
        data, suffix, shown_as = source.read_bytes(), source.suffix, source.as_posix()
    report = Report()
    config = Config(seeds=args.seeds, content=args.content)
    index = load_index(load_site_registry(config, report))
    added = add_seed(data, args.seeds, suffix=suffix, rules=load_rules(), index=index, shown_as=shown_as)
    for diagnostic in [*report.diagnostics, *added.notes]:
        print(diagnostic, file=sys.stderr)
    for line in describe(added):
        print(line)
    return 0


def _config(args: argparse.Namespace) -> Config:
    templates = getattr(args, "templates", Path("templates"))
    if not templates.is_dir() and BUNDLED_TEMPLATES.is_dir():
        templates = BUNDLED_TEMPLATES
    return Config(
        seeds=getattr(args, "seeds", Path("seeds")),
        content=args.content,
        out=getattr(args, "out", Path("site")),
        templates=templates,
        strict=args.strict,
        jobs=getattr(args, "jobs", 1),
        progress=not args.quiet,
    )


def _site_info() -> SiteInfo:
    settings = load_site_settings(Path.cwd())
    defaults = Config()
    return SiteInfo(
        title=settings.get("title", defaults.title),
        description=settings.get("description", defaults.description),
        base_url=settings.get("base_url", defaults.base_url),
    )


def _finish(report: Report, args: argparse.Namespace, verb: str) -> int:
    for diagnostic in sorted(report.diagnostics, key=lambda d: d.sort_key):
        print(diagnostic, file=sys.stderr)
    if not args.quiet:
        parts = [f"{report.stories} stories"]
        if verb == "built":
            parts = [
                f"{report.seeds} seeds",
                f"{report.stories_written} stories written",
                f"{report.stories} stories",
                f"{report.pages} pages ({report.rendered} rendered, {report.written} files changed)",
            ]
        print(f"{verb}: {', '.join(parts)}; {report.errors} errors, {report.warnings} warnings")
    failed = report.errors > 0 or (args.strict and report.warnings > 0)
    return 1 if failed else 0


def serve(config: Config, info: SiteInfo, args: argparse.Namespace) -> int:
    """Build, serve the site on 127.0.0.1, and rebuild (and reload the browser) whenever an input changes."""
    status = [_finish(build(config, info=info), args, "built")]

    def rebuild() -> None:
        status[0] = _finish(build(config, info=info), args, "rebuilt")

    print(f"serving http://127.0.0.1:{args.port}/ (Ctrl-C to stop)")
    from briefing import preview  # watchfiles and the server: for `serve` only

    preview.serve(config.out.absolute(), args.port, (config.seeds, config.content, config.templates), rebuild)
    return status[0]

"""``alliance demo``: start the workshop web app on this machine and print its address.

Solara is imported only here, when the demo starts, so the other commands stay fast. The
page's front-end is served from the ``solara-assets`` package (no CDN): nothing leaves the
machine.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number from 1024 to 65535; found {text!r}") from None
    if not 1024 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1024 to 65535; found {value}")
    return value


#: Where sessions are saved unless --save-dir says otherwise: the user's Documents folder, where a
#: facilitator looks for her files (not the folder the command happens to run in).
SAVE_DIR = Path.home() / "Documents" / "alliance-seances"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="the workshop's web app: 'Et si ?' questions in the browser, offline")
    p.add_argument("--port", type=_port, default=8765, help="local port (default 8765)")
    p.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the page (default fr)")
    p.add_argument("--replay", type=Path, default=None, metavar="SESSION",
                   help="a session to play back: session.json or the exported zip")
    p.add_argument("--scenario", default="baseline", help="the reference territory (default baseline)")
    p.add_argument("--save-dir", type=Path, default=SAVE_DIR, metavar="DIR",
                   help="where each session is saved as it goes, one file per browser tab, replayable "
                        "with --replay (default ~/Documents/alliance-seances)")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from experiments.io import scenarios as scn
    from experiments.io.errors import InputError

    from . import cards, session

    problems = cards.validate()
    if problems:
        raise InputError("demo cards: " + "; ".join(problems))
    scenario = args.scenario
    if args.replay is not None:
        scenario, events = session.read_session(args.replay)
        base = scn.load(scenario).params
        session.replay(events, base, session.State(lang="en"))  # refuse a bad session before the server starts
        os.environ["ALLIANCE_DEMO_REPLAY"] = str(args.replay.resolve())
    else:
        scn.load(scenario)
    try:
        args.save_dir.mkdir(parents=True, exist_ok=True)
        probe_file = args.save_dir / ".write-test"
        probe_file.write_text("")
        probe_file.unlink()
    except OSError as exc:
        raise InputError(f"--save-dir {args.save_dir}: expected a folder where sessions can be written; "
                         f"found {exc.strerror or exc}") from None
    os.environ["ALLIANCE_DEMO_SAVE_DIR"] = str(args.save_dir.resolve())
    os.environ["ALLIANCE_DEMO_SCENARIO"] = scenario
    os.environ["ALLIANCE_DEMO_LANG"] = args.lang
    host = "127.0.0.1"
    with socket.socket() as probe:
        if probe.connect_ex((host, args.port)) == 0:
            raise InputError(f"--port: expected a free port; found {args.port} in use (try --port {args.port + 1})")
    _offline_settings(args.lang)
    os.environ["SOLARA_APP"] = "experiments.demo.app"
    import threading
    import warnings

    import uvicorn

    # Solara warns that its cookie falls back to samesite=lax over plain http: expected on this
    # machine's own address, and nothing a facilitator can act on
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    print("alliance demo: starting on this machine, the address follows when the page is ready…", flush=True)
    print(f"alliance demo: every session is saved as it goes in {args.save_dir}/ "
          "(replay one with: alliance demo --replay FILE)", flush=True)
    from solara.server.starlette import app

    app.add_exception_handler(404, _not_found)
    threading.Thread(target=_say_when_ready, args=(host, args.port), daemon=True).start()
    uvicorn.run(app, host=host, port=args.port, log_level="warning")
    return 0


#: The page for a wrong address, in the demo's language (Solara's own says "Page not found by
#: Solara router"): (French, English).
NOT_FOUND = (
    ("Page introuvable", "Cette adresse ne mène à aucune page de l'atelier.", "Revenir à la page de l'atelier"),
    ("Page not found", "This address leads to no page of the workshop.", "Back to the workshop's page"),
)


async def _not_found(request, exc):
    """A wrong address opened in a browser: a short page in the demo's language with a link back;
    anything else (a file the page asks for) keeps Solara's plain answer."""
    from starlette.responses import HTMLResponse, PlainTextResponse

    if "text/html" not in request.headers.get("accept", ""):
        return PlainTextResponse(getattr(exc, "detail", "Not Found"), status_code=404)
    lang = request.query_params.get("lang") or os.environ.get("ALLIANCE_DEMO_LANG", "fr")
    title, text, back = NOT_FOUND[0 if lang != "en" else 1]
    return HTMLResponse(f"<!doctype html><html lang='{'en' if lang == 'en' else 'fr'}'><meta charset='utf-8'>"
                        f"<title>{title}</title><body style='font-family:sans-serif;margin:3em'><h1>{title}</h1>"
                        f"<p>{text}</p><p><a href='/'>{back}</a></p></body></html>", status_code=404)


def _say_when_ready(host: str, port: int) -> None:
    """Print the address once the page answers, so that the first visit is not refused."""
    import time
    import urllib.request

    url = f"http://{host}:{port}/"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30):
                break
        except OSError:
            time.sleep(0.3)
    # the first page's answer (the reference over its draws) computed now, not when the room looks
    from experiments.demo import app, session, view

    view.compute(session.State(lang=app.DEFAULT_LANG), app.BASE)
    print(f"alliance demo: open {url} in a browser (Ctrl-C to stop)", flush=True)
    # the export draws a figure: load the plotting library now, not in front of the room
    view.figure_warm_up()


#: Solara looks for page templates in the folder beside the app's package (experiments/templates):
#: there, a loader that says "Ouverture de la page…" instead of Solara's English "Loading app".
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _offline_settings(lang: str = "fr") -> None:
    """Serve every front-end file from the installed packages and never proxy to a CDN; the
    loader in the page's language when its template is installed, else Solara's plain one."""
    os.environ["SOLARA_ASSETS_PROXY"] = "True"  # serve /_solara/cdn from solara-assets
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    ours = f"alliance-{lang}"
    loader = ours if (TEMPLATES / f"loader-{ours}.html").is_file() else "plain"
    os.environ.setdefault("SOLARA_THEME_LOADER", loader)  # no English "Loading app" nor "Made with Solara"
    from . import i18n

    os.environ.setdefault("SOLARA_THEME_TITLE", i18n.t("title", lang))  # the tab's title while loading
    os.environ.setdefault("SOLARA_MODE", "production")
    if sys.platform != "win32":
        os.environ.setdefault("MPLBACKEND", "Agg")

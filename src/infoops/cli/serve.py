"""``infoops serve``: the review and takedown web app over the store."""

from __future__ import annotations

import click

from infoops.cli.options import db_option


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep loopback unless behind a TLS proxy).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--enforce-url", metavar="URL",
              help="Platform endpoint that receives each takedown/restore batch as an HTTP POST.")
@click.option("--approval-threshold", default=100, show_default=True, type=click.IntRange(0),
              help="Takedowns of more accounts than this need a second reviewer's approval.")
@click.option("--idle-release", "idle_seconds", default=2.0, show_default=True,
              type=click.FloatRange(0.1),
              help="Seconds without requests after which the store is closed so other "
                   "infoops commands can use it.")
@click.option("--no-analysis", is_flag=True,
              help="Do not compute the report's analysis (narratives, picture) on network pages.")
@click.option("--secure-cookies", is_flag=True,
              help="Send the session cookie over HTTPS only (when served behind TLS).")
def command(db: str, host: str, port: int, enforce_url: str | None, approval_threshold: int,
            idle_seconds: float, no_analysis: bool, secure_cookies: bool) -> None:
    """Serve the review web app: networks, cases, takedowns, appeals, audit log."""
    from pathlib import Path

    from infoops.errors import StoreError

    try:
        import uvicorn

        from infoops.review.web import ServeConfig, create_app
    except ImportError as exc:  # the web extra is missing
        raise StoreError(f"the web app needs its extra: pip install 'infoops[web]' ({exc})") from exc
    if not Path(db).exists():
        raise StoreError(f"{db}: no such store; run `infoops ingest` and `infoops detect` "
                         f"first or pass --db")
    config = ServeConfig(db=db, enforce_url=enforce_url, approval_threshold=approval_threshold,
                         idle_seconds=idle_seconds, analysis=not no_analysis,
                         https_only=secure_cookies)
    app = create_app(config)
    click.echo(f"infoops review on http://{host}:{port}/ (store {db}; Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")

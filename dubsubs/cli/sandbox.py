"""``dubsubs sandbox``: the local API stand-in, in the foreground."""

from __future__ import annotations

import click

from ..camb.api import API_KEY_ENV, BASE_URL_ENV


@click.command("sandbox", short_help="Serve a local stand-in of the Camb.ai API on 127.0.0.1.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--api-key", default="sandbox", show_default=True, metavar="KEY",
              help="The key the sandbox accepts.")
@click.option("--fault", "faults", multiple=True, metavar="SPEC",
              help="Misbehave on purpose: KIND:PATH_REGEX[:VALUE[:TIMES]] with KIND status "
                   "(VALUE = HTTP code), drop (VALUE = bytes sent before closing), slow "
                   "(VALUE = seconds) or ignore_range. E.g. status:/dub-result/:503:2. "
                   "Repeatable.")
@click.option("--alt-polls", type=click.IntRange(0, 100), default=2, show_default=True,
              help="Polls an alt-format task answers PENDING before it ends.")
@click.option("--alt-success-without-url", is_flag=True,
              help="Alt-format tasks end in SUCCESS without a URL (POST again for it).")
def sandbox(port: int, api_key: str, faults: tuple[str, ...], alt_polls: int,
            alt_success_without_url: bool) -> None:
    """Serve the sample runs (1001 English, 1002 Spanish and French, 1003 audio only; TTS
    run 2001) with small real media, the way the Camb.ai API does: key check, the bulk
    endpoint's 2-to-5 rule, presigned media URLs, Range requests, alt-format tasks. Runs
    until Ctrl-C. Point dubsubs at it with the two variables it prints."""
    from ..camb.sandbox import Sandbox, iter_faults

    try:
        parsed = list(iter_faults(faults))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fault") from None
    try:
        server = Sandbox(api_key=api_key, port=port, alt_polls=alt_polls,
                         alt_success_without_url=alt_success_without_url)
    except OSError as error:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
    for fault in parsed:
        server.add_fault(fault)
    click.echo(f"dubsubs sandbox on {server.url} (runs {', '.join(map(str, server.run_ids))})")
    click.echo(f"  export {BASE_URL_ENV}={server.url}")
    click.echo(f"  export {API_KEY_ENV}={server.api_key}")
    click.echo("Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")

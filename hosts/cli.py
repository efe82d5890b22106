"""The ``tirelire`` command: serve a network, run the demo, list plugins, ledger, benchmarks.

Every failure a user can cause (an unknown option, a bad setting, an unwritable data directory,
a port in use, a broken plugin) ends with one line on stderr, ``tirelire: error: ...``, and a
non-zero exit status, never a traceback. Plugins add their own sub-commands through the
``register_commands`` hook.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click
import msgspec

from core.instances import InstanceError
from core.network import Network
from core.plugins import PluginError, PluginManager
from core.settings import Settings, SettingsError, load_settings
from hosts.analytics_cli import analytics, bench_analytics
from hosts.bench_http import bench_http
from hosts.bench_serve import bench_serve
from hosts.demo import DemoError, admin_login_links, demo_terminals, ensure_demo
from hosts.demo_money import money_summary
from hosts.ledger_cli import bench_ledger, ledger
from hosts.nfc.card_command import nfc_card_command
from hosts.nfc.command import bench_nfc, nfc_command
from hosts.nfc.errors import HostError
from hosts.serving import SERVERS, ServeError, check_data_dir, check_port, run_server

__all__ = ["build_cli", "main"]

PROG = "tirelire"


def _manager(ctx: click.Context) -> PluginManager:
    return ctx.ensure_object(dict)["plugins"]  # type: ignore[no-any-return]


def _addresses(settings: Settings, host: str, port: int) -> list[tuple[str, str]]:
    """(label, address) of the network's home and of each instance, to print at start-up."""
    shown = "localhost" if host in {"0.0.0.0", "::"} else host
    shown = f"[{shown}]" if ":" in shown else shown
    lines = [("Network home", f"http://{shown}:{port}")]
    base = settings.base_domains[0]
    with Network.open(settings, plugins=PluginManager(load_entry_points=False)) as network:
        lines += [(i.name, f"http://{i.slug}.{base}:{port}") for i in network.instances.all()]
    return lines


def _serve(
    data: str | None, host: str, port: int, workers: int, server: str, access_log: bool
) -> None:
    """Check everything that can be checked, print the addresses, then serve until Ctrl-C."""
    if workers < 1:
        raise click.BadParameter("must be at least 1", param_hint="'--workers'")
    data_dir = check_data_dir(data or os.environ.get("TIRELIRE_DATA") or "data")
    settings = load_settings(data_dir)
    check_port(host, port)
    click.echo(f"tirelire: serving {settings.network_name!r} from {data_dir} with {server}")
    addresses = _addresses(settings, host, port)
    width = max(len(label) for label, _address in addresses)
    for label, address in addresses:
        click.echo(f"  {label:<{width}}  {address}")
    click.echo("Press Ctrl-C to stop.")
    run_server(
        data_dir=data_dir,
        host=host,
        port=port,
        workers=workers,
        server=server,
        access_log=access_log,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tirelire", prog_name=PROG)
def cli() -> None:
    """tirelire: a cooperative cashless, ticketing and local-currency network."""


_host = click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
_server = click.option(
    "--server",
    type=click.Choice(SERVERS),
    default="granian",
    show_default=True,
    help="ASGI server (granian measured fastest; see docs/performance.md).",
)


@cli.command()
@_host
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--data",
    type=click.Path(file_okay=False),
    help="Data directory (default: $TIRELIRE_DATA or ./data).",
)
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
@_server
@click.option("--access-log", is_flag=True, help="Log every request.")
def serve(
    host: str, port: int, data: str | None, workers: int, server: str, access_log: bool
) -> None:
    """Serve a network with a production ASGI server."""
    _serve(data, host, port, workers, server, access_log)


@cli.command()
@_host
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--data",
    default="demo-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the demo network lives (created on first run, reused afterwards).",
)
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, data: str, workers: int) -> None:
    """Create the demo network (the first time), then serve it."""
    data_dir = check_data_dir(data)
    check_port(host, port)
    _, created = ensure_demo(data_dir, plugins=_manager(ctx))
    verb = "created" if created else "reusing"
    click.echo(f"tirelire: {verb} the demo network in {data_dir}")
    settings = load_settings(data_dir)
    base = settings.base_domains[0]
    with Network.open(settings, plugins=PluginManager(load_entry_points=False)) as network:
        slugs = [i.slug for i in network.instances.all()]
    urls = {slug: f"http://{slug}.{base}:{port}" for slug in slugs}
    click.echo("Admin login links (valid 15 minutes, single use; new ones at each start):")
    links = admin_login_links(settings, urls)
    width = max((len(email) for email, _link in links), default=32)
    for email, link in links:
        click.echo(f"  {email:<{width}} {link}")
    with Network.open(settings, plugins=PluginManager(load_entry_points=False)) as network:
        money_lines = money_summary(network, urls["le-bisik"])
    click.echo("Money (anonymous cards: open a page, log in, link the card):")
    for label, value in money_lines:
        click.echo(f"  {label:<{width}} {value}")
    terminals = demo_terminals(data_dir, urls)
    if terminals:
        click.echo(
            "Simulated card terminals (docs/laboutik.md; cards: tirelire nfc-card --port 9999)"
        )
    for path, state in terminals:
        click.echo(f"  {state.name:<{width}} tirelire nfc --device udp:127.0.0.1:9999 "
                   f"--server {state.server} --state {path}")  # fmt: skip
    _serve(str(data_dir), host, port, workers, "granian", access_log=False)


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def plugins_command(ctx: click.Context, as_json: bool) -> None:
    """List the installed plugins, their versions and the hooks they implement."""
    infos = _manager(ctx).installed()
    if as_json:
        click.echo(msgspec.json.encode(infos).decode())
        return
    if not infos:
        click.echo("No plugins installed.")
        return
    rows = [("NAME", "VERSION", "HOOKS")] + [(i.name, i.version, ", ".join(i.hooks)) for i in infos]
    widths = [max(len(r[c]) for r in rows) for c in range(2)]
    for name, version, hooks in rows:
        click.echo(f"{name:<{widths[0]}}  {version:<{widths[1]}}  {hooks}")


@cli.group()
def bench() -> None:
    """Benchmarks whose workloads are written down in docs/performance.md."""


@bench.command("serve")
@click.option("--seconds", default=5.0, show_default=True, type=float, help="Load per server.")
@click.option("--connections", default=64, show_default=True, type=int, help="Open connections.")
@click.option(
    "--server",
    "servers",
    multiple=True,
    type=click.Choice(SERVERS),
    help="Server(s) to measure (default: all).",
)
@click.option("--path", default="/-/health", show_default=True, help="Endpoint to load.")
@click.option(
    "--generator",
    type=click.Choice(["auto", "wrk", "python"]),
    default="auto",
    show_default=True,
    help="Load generator (auto: wrk when installed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def bench_serve_command(
    seconds: float,
    connections: int,
    servers: tuple[str, ...],
    path: str,
    generator: str,
    as_json: bool,
) -> None:
    """Measure our app under granian and under uvicorn (uvloop + httptools), one by one."""
    if seconds <= 0 or connections < 1:
        raise click.UsageError("--seconds must be > 0 and --connections >= 1")
    results = bench_serve(
        servers or SERVERS,
        seconds=seconds,
        connections=connections,
        path=path,
        generator=generator,
    )
    if as_json:
        click.echo(json.dumps({r.server: r.as_dict() for r in results}, indent=2))
        return
    click.echo(f"GET {path}, {connections} connections, {seconds:g} s each, 1 worker")
    click.echo(f"{'server':<10} {'requests/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in results:
        click.echo(
            f"{r.server:<10} {r.requests_per_second:>12.0f} {r.p50_ms:>8.2f} "
            f"{r.p99_ms:>8.2f} {r.errors:>7}  ({r.generator})"
        )


@bench.command("http")
@click.option("--seconds", default=5.0, show_default=True, type=float, help="Load per endpoint.")
@click.option("--connections", default=64, show_default=True, type=int, help="Open connections.")
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes.")
@click.option("--wallets", default=1000, show_default=True, type=int, help="Funded cards.")
@click.option(
    "--generator",
    type=click.Choice(["auto", "wrk", "python"]),
    default="auto",
    show_default=True,
    help="Load generator (auto: wrk when installed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def bench_http_command(
    seconds: float, connections: int, workers: int, wallets: int, generator: str, as_json: bool
) -> None:
    """Payments per second on POST /api/sales of a real server, and GET /-/hello beside it."""
    if seconds <= 0 or connections < 1 or workers < 1 or wallets < 1:
        raise click.UsageError("--seconds must be > 0; --connections, --workers, --wallets >= 1")
    r = bench_http(
        seconds=seconds,
        connections=connections,
        workers=workers,
        wallets=wallets,
        generator=generator,
    )
    if as_json:
        click.echo(json.dumps(r.as_dict(), indent=2))
        return
    click.echo(
        f"{connections} connections, {seconds:g} s each, {workers} worker(s), "
        f"{wallets} funded cards, {r.generator}"
    )
    click.echo(f"{'endpoint':<18} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    click.echo(
        f"{'POST /api/sales':<18} {r.payments_per_s:>11.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
        f"{r.payment_errors:>7}"
    )
    click.echo(
        f"{'GET /-/hello':<18} {r.hello_per_s:>11.0f} {r.hello_p50_ms:>8.2f} "
        f"{r.hello_p99_ms:>8.2f} {r.hello_errors:>7}"
    )
    click.echo(
        f"payments / hello: {r.ratio_to_hello:.2f}; sales recorded: {r.sales_recorded} "
        f"in {r.commits} commits; "
        f"ledger verified: {r.ledger_ok}; money invariants: {r.invariants_ok}"
    )


cli.add_command(ledger)
cli.add_command(nfc_command)
cli.add_command(nfc_card_command)
bench.add_command(bench_ledger)
cli.add_command(analytics)
bench.add_command(bench_analytics)
bench.add_command(bench_nfc)


def build_cli(plugins: PluginManager) -> click.Group:
    """The command group with the plugins' ``register_commands`` added."""
    group = click.Group(
        name=PROG,
        commands=dict(cli.commands),
        callback=cli.callback,
        params=list(cli.params),
        help=cli.help,
        context_settings=cli.context_settings,
    )
    for name, register_commands in plugins.each_plugin("register_commands"):

        def register(command: click.Command, plugin: str = name) -> None:
            if not isinstance(command, click.Command) or not command.name:
                raise PluginError(f"plugin {plugin!r} registered a command that is not named")
            if command.name in group.commands:
                raise PluginError(
                    f"plugin {plugin!r} registers the command {command.name!r}, already taken"
                )
            group.add_command(command)

        register_commands(register=register)
    return group


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"{PROG}: error: {message}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``tirelire`` console script (one-line errors, no tracebacks)."""
    try:
        plugins = PluginManager()
        plugins.check()
        group = build_cli(plugins)
        result: Any = group.main(
            args=argv, prog_name=PROG, standalone_mode=False, obj={"plugins": plugins}
        )
    except click.UsageError as exc:
        hint = f" (see {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        _fail(exc.format_message().strip().replace("\n", " ") + hint, exc.exit_code)
    except click.ClickException as exc:
        _fail(exc.format_message().strip().replace("\n", " "), exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 1)
    except (ServeError, DemoError, SettingsError, PluginError, InstanceError, HostError) as exc:
        _fail(str(exc).strip().replace("\n", " "))
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}")
    else:
        sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()

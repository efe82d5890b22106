"""The SQL console: whatever is typed, instance A's treasurer reads A's rows only and never
touches a file or a setting; refusals and time-outs say why in one line."""

from __future__ import annotations

import pytest

from core import Network
from core.analytics import Mirror
from core.analytics.console import Console, ConsoleError, check_query
from core.analytics.reports import Scope

A, B = "bisik", "ressourcerie"

REFUSED = [
    "ATTACH '/tmp/other.duckdb' AS other",
    "COPY transfers TO '/tmp/out.csv'",
    "EXPORT DATABASE '/tmp/everything'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "PRAGMA database_list",
    "CREATE TABLE x (a INTEGER)",
    "INSERT INTO instances VALUES ('x', 'x', 'venue', [], NULL)",
    "UPDATE transfers SET amount = 0",
    "DELETE FROM transfers",
    "DROP TABLE transfers",
    "CALL pragma_version()",
    "SELECT 1; SELECT 2",
    "SELECT 1; DROP TABLE transfers",
    "DETACH memory",
    "USE other",
    "CHECKPOINT",
    "",
]

FAILING = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/hostname')",
    "SELECT * FROM read_parquet('{mirror}')",
    "SELECT * FROM read_csv_auto('{mirror}')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT * FROM query('ATTACH ''{mirror}'' AS m')",
    "SELECT * FROM query('DROP TABLE transfers')",
    "SELECT * FROM '{mirror}'",
    "SELECT getenv('HOME')",
]


@pytest.fixture
def console(mirror: Mirror) -> Console:
    return Console(mirror, timeout=1.0)


@pytest.mark.parametrize("query", REFUSED)
def test_statements_that_are_not_one_select_are_refused(console: Console, query: str) -> None:
    with pytest.raises(ConsoleError) as refused:
        console.run(Scope(A), query)
    assert refused.value.kind == "refused"
    assert "\n" not in refused.value.reason and refused.value.reason


@pytest.mark.parametrize("query", FAILING)
def test_files_and_other_databases_are_out_of_reach(
    console: Console, mirror: Mirror, query: str
) -> None:
    with pytest.raises(ConsoleError) as failed:
        console.run(Scope(A), query.format(mirror=mirror.path))
    assert failed.value.kind == "error"
    assert "\n" not in failed.value.reason


def test_settings_are_locked(console: Console) -> None:
    result = console.run(
        Scope(A),
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
        "'lock_configuration', 'autoinstall_known_extensions', 'autoload_known_extensions', "
        "'allow_unsigned_extensions') ORDER BY name",
    )
    assert dict(result.rows) == {
        "allow_unsigned_extensions": "false",
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "enable_external_access": "false",
        "lock_configuration": "true",
    }


def test_a_query_that_would_run_forever_is_stopped(console: Console) -> None:
    with pytest.raises(ConsoleError) as stopped:
        console.run(Scope(A), "SELECT count(*) FROM range(1000000000000) a, range(1000000) b")
    assert stopped.value.kind == "timeout"
    assert stopped.value.reason == "the query was stopped after 1 seconds"


def _every_text(console: Console, scope: Scope) -> str:
    """Every value of every table and view the scope's console can read, as one text."""
    tables = console.run(
        scope,
        "SELECT table_name FROM duckdb_tables() UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE NOT internal",
    )
    seen = []
    for (name,) in tables.rows:
        result = console.run(scope, f"SELECT * FROM {name}")
        seen.append(repr(result.rows))
    return "\n".join(seen)


def test_a_never_reads_b(console: Console, network: Network) -> None:
    text = _every_text(console, Scope(A))
    assert A in text
    assert B not in text and "goulues" not in text and "claf" not in text
    from core.wallets.accounts_map import account_id_for

    assert str(account_id_for(f"instance:{B}", 1)) not in text
    count = console.run(Scope(A), "SELECT count(*) FROM transfers").rows[0][0]
    assert count == 4  # its two refills and two sales, nothing of B's
    assert console.run(Scope(A), "SELECT DISTINCT place FROM transfers").rows == [(A,)]


def test_the_issuer_sees_its_asset_everywhere_but_not_the_rest(console: Console) -> None:
    places = console.run(Scope("claf"), "SELECT DISTINCT place FROM transfers ORDER BY 1").rows
    assert places == [("",), ("goulues",)]  # allocations, and sales and remittances in CLA
    codes = console.run(Scope("claf"), "SELECT DISTINCT asset_id FROM transfers").rows
    assert codes == [(2,)]
    text = _every_text(console, Scope("claf"))
    assert A not in text and B not in text


def test_the_network_sees_everything(console: Console, network: Network) -> None:
    count = console.run(Scope(None), "SELECT count(*) FROM transfers").rows[0][0]
    assert count == network.ledger.head().seq


def test_results_are_capped(mirror: Mirror) -> None:
    small = Console(mirror, max_rows=3)
    result = small.run(Scope(None), "SELECT * FROM range(10)")
    assert len(result.rows) == 3 and result.truncated


def test_check_query_uses_duckdbs_parser() -> None:
    assert (
        check_query("  WITH x AS (SELECT 1) SELECT * FROM x ")
        == "WITH x AS (SELECT 1) SELECT * FROM x"
    )
    assert check_query("FROM transfers") == "FROM transfers"
    with pytest.raises(ConsoleError, match="not INSERT"):
        check_query("insert into t values (1)")
    with pytest.raises(ConsoleError) as long:
        check_query("SELECT " + "1 + " * 10_000 + "1")
    assert long.value.code == "too_long"

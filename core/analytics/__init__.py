"""Analytics: a DuckDB mirror of the ledger and the records, reports, a SQL console, exports.

- :class:`Mirror` (:mod:`core.analytics.mirror`): the mirror file and its incremental sync;
- :mod:`core.analytics.reports`: the treasurers' reports, for an instance or the network;
- :mod:`core.analytics.console`: SQL over an instance's rows only, in a sandbox;
- :mod:`core.analytics.export`: Hive-partitioned Parquet.

See docs/analytics.md.
"""

from core.analytics.feed import MirrorError
from core.analytics.mirror import Mirror, SyncReport
from core.analytics.views import AnalyticsView

__all__ = ["AnalyticsView", "Mirror", "MirrorError", "SyncReport"]

"""Analytics in the web host: report pages with SVG charts, downloads, the SQL console, the
JSON API, the admin section, and the background sync of the mirror (see docs/analytics.md).
"""

from hosts.web.analytics.api import ANALYTICS_API
from hosts.web.analytics.routes import ANALYTICS_PAGES
from hosts.web.analytics.sections import NAME, AnalyticsSections
from hosts.web.analytics.sync_task import SyncTask, analytics_lifespan

ANALYTICS_ROUTES = [*ANALYTICS_PAGES, *ANALYTICS_API]

__all__ = ["ANALYTICS_ROUTES", "NAME", "AnalyticsSections", "SyncTask", "analytics_lifespan"]

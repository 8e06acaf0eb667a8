"""The kpi app's admin: each area registers its models from its own ``admin.py``."""

from kpi.reports import admin as reports_admin  # noqa: F401
from kpi.retrospectives import admin as retrospectives_admin  # noqa: F401
from kpi.scorecards import admin as scorecards_admin  # noqa: F401
from kpi.surveys import admin as surveys_admin  # noqa: F401
from kpi.targets import admin as targets_admin  # noqa: F401
from kpi.training import admin as training_admin  # noqa: F401

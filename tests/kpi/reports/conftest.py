from tests.kpi.targets.conftest import (  # noqa: F401  (the same people)
    admin_user,
    gm,
    rep,
    rep2,
    sales_manager,
    sales_team,
    west_manager,
    west_rep,
    west_team,
)

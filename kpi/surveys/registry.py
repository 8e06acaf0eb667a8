"""What the surveys area plugs into the rest of the product (timers, hooks, navigation, panels,
documents), called once from ``KpiConfig.ready()``."""


def register() -> None:
    pass

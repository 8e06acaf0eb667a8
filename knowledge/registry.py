"""What the knowledge base plugs into the rest of the product, from ``KnowledgeConfig.ready()``."""

from django.utils.translation import gettext_lazy


def register() -> None:
    from knowledge import erasure
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    erasure.register()
    register_nav(
        NavItem(
            key="knowledge",
            label=gettext_lazy("Knowledge base"),
            url_name="knowledge:search",
            icon="book",
            order=85,
            roles=frozenset(Role.values),
        )
    )

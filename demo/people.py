"""Demo teams and one user per role (password for all: ``lychee-harbor-42``)."""

from __future__ import annotations

from django.contrib.auth.models import Group

from kpi.scorecards.services import ensure_default_scorecard_templates
from kpi.surveys.defaults import ensure_default_templates
from presales.accounts.models import Department, Team, User
from presales.core.roles import Role

PASSWORD = "lychee-harbor-42"

TEAMS = {
    # key: (name, department)
    # Regional teams hold sales reps and presales engineers together: records are scoped
    # to the team that owns them (R-CUST-6).
    "east": ("华东区 East China", Department.PRESALES),
    "north": ("华北区 North China", Department.PRESALES),
    "legal": ("法务部 Legal", Department.LEGAL),
    "finance": ("财务部 Finance", Department.FINANCE),
    "rd": ("研发中心 R&D", Department.RD),
    "after_sales": ("售后服务部 After-sales", Department.AFTER_SALES),
    "management": ("总经办 Management", Department.MANAGEMENT),
}

# username: (display name, role, team key, language, manages team?)
USERS = {
    "engineer": ("王工 Wang Wei", Role.PRESALES_ENGINEER, "east", "zh-hans", False),
    "engineer2": ("陈工 Chen Jing", Role.PRESALES_ENGINEER, "east", "zh-hant", False),
    "engineer_north": ("赵工 Zhao Lei", Role.PRESALES_ENGINEER, "north", "zh-hans", False),
    "presales_manager": ("李经理 Li Na", Role.PRESALES_MANAGER, "east", "zh-hans", True),
    "sales": ("张销售 Zhang Min", Role.SALES_REP, "east", "zh-hans", False),
    "sales_manager": ("刘经理 Liu Yang", Role.SALES_MANAGER, "east", "en", False),
    "legal": ("孙律师 Sun Li", Role.LEGAL, "legal", "zh-hans", True),
    "finance": ("周会计 Zhou Hui", Role.FINANCE, "finance", "zh-hans", True),
    "gm": ("吴总 Wu Gang", Role.GENERAL_MANAGER, "management", "zh-hans", True),
    "rd_head": ("郑主任 Zheng Tao", Role.DEPARTMENT_HEAD, "rd", "zh-hans", True),
    "aftersales_head": ("冯主任 Feng Qiang", Role.DEPARTMENT_HEAD, "after_sales", "zh-hans", True),
    "admin": ("系统管理员 Admin", Role.ADMIN, "management", "en", False),
}


# Demo passwords of earlier releases: a demo database built with one of them is moved to
# ``PASSWORD`` on the next load (the README's logins keep working on an old ``var/`` folder).
RETIRED_PASSWORDS = ("demo1234",)


def _has_retired_password(user: User) -> bool:
    return any(user.check_password(old) for old in RETIRED_PASSWORDS)


def _demo_is_retired(user: User) -> bool | None:
    """Does this existing demo user tell whether the demo predates ``PASSWORD``? True when
    they still have a retired password, False when they have the current one, None when
    they chose their own (ask the next user). One or two hashes per load, not 14."""
    if user.check_password(PASSWORD):
        return False
    return True if _has_retired_password(user) else None


def build(ctx) -> None:
    # The configuration the migrations seed (a database flushed since has none): the survey
    # templates the closes below send, the scorecard templates (idempotent).
    ensure_default_templates()
    ensure_default_scorecard_templates()
    retired: bool | None = None  # undecided until an existing user tells
    for key, (name, department) in TEAMS.items():
        ctx.teams[key], _ = Team.objects.update_or_create(name=name, defaults={"department": department})
    for username, (display, role, team_key, language, manages) in USERS.items():
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "display_name": display,
                "email": f"{username}@presales.example",
                "team": ctx.teams[team_key],
                "language": language,
                "is_staff": role == Role.ADMIN,
                "is_superuser": False,
            },
        )
        if not created and retired is None:
            retired = _demo_is_retired(user)
        if created or not user.has_usable_password() or (retired and _has_retired_password(user)):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        ctx.users[username] = user
        if manages:
            Team.objects.filter(pk=ctx.teams[team_key].pk).update(manager=user)
    # The sales manager also covers North China (which has no sales rep of its own) and files
    # its leads and customers: records go only under the writer's teams, home or managed.
    Team.objects.filter(pk=ctx.teams["north"].pk).update(manager=ctx.users["sales_manager"])
    ctx.log.append(
        f"Demo logins (password {PASSWORD}): " + ", ".join(f"{u} ({r[1].label})" for u, r in USERS.items())
    )

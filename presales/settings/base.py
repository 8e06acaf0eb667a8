"""Settings shared by every environment. Secrets and URLs come only from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "django_tables2",
    "django_celery_beat",
    "axes",
    "csp",
    "presales",
    "leads",
    "reviews",
    "opportunities",
    "knowledge",
    "collaboration",
    "proposals",
    "bids",
    "kpi",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Marks safe requests so their reads may use the read replica (only when one is set).
    "presales.core.dbrouting.ReplicaReadsMiddleware",
    "presales.web.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "presales.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so its process_exception sees the view's error first, with the user's language,
    # messages and htmx already set up.
    "presales.web.middleware.ConcurrentChangeMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "presales.urls"
WSGI_APPLICATION = "presales.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "presales.web.context_processors.navigation",
            ],
        },
    },
]

# Database (docs/deployment.md, "Database"). Connections are kept DB_CONN_MAX_AGE seconds
# and checked before reuse; behind PgBouncer in transaction mode (docker-compose) server-side
# cursors must be off (DB_DISABLE_SERVER_SIDE_CURSORS=true): a cursor would outlive the
# transaction its server connection was lent for. Exports then read in batches
# (presales.exports.batches). DATABASE_REPLICA_URL adds a read replica for the reads of safe
# requests (presales.core.dbrouting).
_DB_OPTIONS = {
    "ATOMIC_REQUESTS": False,
    "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
    "CONN_HEALTH_CHECKS": env.bool("DB_CONN_HEALTH_CHECKS", default=True),
    "DISABLE_SERVER_SIDE_CURSORS": env.bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False),
}
DATABASES = {"default": {**_DB_OPTIONS, **env.db("DATABASE_URL")}}
DATABASE_ROUTERS: list[str] = []
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **_DB_OPTIONS,
        **env.db("DATABASE_REPLICA_URL"),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["presales.core.dbrouting.ReplicaRouter"]
# After a write request a browser reads the primary this long (the replica may lag behind).
REPLICA_PIN_SECONDS = env.int("DB_REPLICA_PIN_SECONDS", default=15)
# Covering indexes (INCLUDE, issue 9) are PostgreSQL's; on SQLite (demo runstack) Django builds
# them without their non-key columns and warns (models.W040) on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "presales.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses every login of a locked-out username + IP before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "presales.accounts.passwords.NotGuessableValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# A signed-in session ends after this many hours (the cookie expires; sign in again).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_HOURS", default=12) * 3600

# Login throttling (django-axes) for the web and admin logins: after AXES_FAILURE_LIMIT wrong
# passwords for one username from one IP address, that pair is locked out for the cool-off
# period; a successful login resets the count. The lockout page answers 429.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# Behind a reverse proxy, REMOTE_ADDR is the proxy: LOGIN_PROXY_COUNT=1 takes the client
# address from X-Forwarded-For (set it only when the proxy overwrites that header).
AXES_IPWARE_PROXY_COUNT = env.int("LOGIN_PROXY_COUNT", default=0) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Internationalisation: Simplified Chinese by default, Traditional Chinese and English per user.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["presales.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (presales/core/uploads.py): the size limit of one file, and the zip-bomb limits of
# the zip-based formats (docx/xlsx/pptx). Media is never served by whitenoise (it serves
# STATIC_ROOT) nor, with DEBUG off, by the static() route: only by views that check the
# record's visibility and log the download.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=20) * 1024 * 1024
UPLOAD_ZIP_MAX_BYTES = 100 * 1024 * 1024
UPLOAD_ZIP_MAX_ENTRIES = 1000
UPLOAD_ZIP_MAX_RATIO = 100

# Email
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="presales@localhost")

# REST API: one error contract, scoped querysets, fast pagination (see presales/api/).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "presales.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Rates are read when a request comes in (presales/api/throttles.py); a rate of None
    # switches that throttle off (the test settings do).
    "DEFAULT_THROTTLE_CLASSES": [
        "presales.api.throttles.AnonRateThrottle",
        "presales.api.throttles.UserRateThrottle",
        "presales.api.throttles.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
        # Stricter, for the endpoints that create credentials (API tokens).
        "auth": env.str("API_THROTTLE_AUTH", default="10/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["presales.api.permissions.HasRole"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "presales.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "presales.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Presales CRM API",
    "DESCRIPTION": "Leads, customers, opportunities, reviews and timers of the presales CRM.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and the docs are for signed-in users only (they map the whole API).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One schema name per choice set used by several serializer fields.
    "ENUM_NAME_OVERRIDES": {
        "DisqualifyReasonEnum": "leads.choices.DisqualifyReason",
        "LeadStatusEnum": "leads.choices.LeadStatus",
        "StageEnum": "opportunities.choices.Stage",
        "RoleEnum": "presales.core.roles.Role",
        "ProjectRoleEnum": "opportunities.choices.ProjectRole",
        "CloseReasonEnum": "opportunities.choices.CloseReason",
        "InitiationStatusEnum": "opportunities.choices.InitiationStatus",
        "ReviewStatusEnum": "reviews.choices.ReviewStatus",
        "SectionKindEnum": "proposals.solutions.choices.SectionKind",
        "QuoteLineKindEnum": "proposals.solutions.choices.LineKind",
        "RequirementKindEnum": "proposals.choices.RequirementKind",
        "ConfirmationStatusEnum": "proposals.choices.ConfirmationStatus",
        "ConfirmationMethodEnum": "proposals.choices.ConfirmationMethod",
        "RDRequestStatusEnum": "proposals.choices.RDRequestStatus",
        "TrialKindEnum": "proposals.demos.choices.TrialKind",
        "ChecklistKindEnum": "proposals.demos.choices.ChecklistKind",
        "AcceptanceKindEnum": "bids.handoff.choices.AcceptanceKind",
        "DocumentDeliveryChannelEnum": "presales.documents.models.DeliveryChannel",
        "ChannelEnum": "leads.choices.Channel",
        "BidPartVersionSourceEnum": "bids.tenders.choices.VersionSource",
        "LeadSourceEnum": "leads.choices.LeadSource",
        "ScorecardStatusEnum": "kpi.models.scorecards.ScorecardStatus",
        "RiskCategoryEnum": "bids.risks.choices.RiskCategory",
        "RequirementCategoryEnum": "proposals.choices.RequirementCategory",
        "SurveyPurposeEnum": "kpi.models.surveys.SurveyPurpose",
        "ContactSourceEnum": "leads.choices.LAWFUL_CONTACT_SOURCES",
        "TierEnum": "leads.choices.Tier",
        "TrainingResultEnum": "kpi.models.training.TrainingResult",
        "RetrospectiveOutcomeEnum": "kpi.models.retrospectives.RetrospectiveOutcome",
        "CustomerConsentEnum": "kpi.models.retrospectives.CustomerConsent",
        "DemoOutcomeEnum": "proposals.demos.choices.DemoOutcome",
        "DepartmentEnum": "presales.accounts.models.Department",
        "CollaborationRequestStatusEnum": "collaboration.choices.RequestStatus",
        "CollaborationRequestKindEnum": "collaboration.choices.RequestKind",
        "ActionItemStatusEnum": "collaboration.choices.ActionStatus",
    },
    # Every operation documents the errors it can answer, in the error contract (issue 8).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "presales.api.schema.document_error_responses",
    ],
}

# Celery: broker from the environment; deadlines are database rows, not ETA tasks.
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One sweep a minute claims due timers and re-enqueues unfinished deliveries (presales/sla/);
# "expires" drops a sweep that waited behind a slow one. Grades are reviewed monthly (R-CUST-3).
CELERY_BEAT_SCHEDULE: dict = {
    "sweep-due-timers": {
        "task": "presales.sla.tasks.sweep_due_timers_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # From 1 November the admins are told once if next year's working-day calendar is
    # missing; estimated deadlines whose year became known are recomputed (R-SLA-2).
    "check-work-calendar": {
        "task": "presales.sla.tasks.check_work_calendar_task",
        "schedule": crontab(minute=0, hour=8),
    },
    # R-KPI-3: the managers' charts read a summary brought up to date every 15 minutes (the
    # groups changed since) and rebuilt whole every night (kpi/analytics/summary.py).
    "refresh-analytics-summary": {
        "task": "kpi.analytics.tasks.refresh_analytics_summary_task",
        "schedule": 900.0,
        "options": {"expires": 840},
    },
    "rebuild-analytics-summary": {
        "task": "kpi.analytics.tasks.rebuild_analytics_summary_task",
        "schedule": crontab(minute=40, hour=1),
    },
    "review-customer-grades": {
        "task": "leads.tasks.review_customer_grades_task",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
    "backfill-customer-cadence": {
        "task": "leads.tasks.backfill_cadence_task",
        "schedule": crontab(minute=0, hour=3, day_of_month=1),
    },
    "suggest-customer-tiers": {
        "task": "leads.tasks.suggest_tiers_task",
        "schedule": crontab(minute=30, hour=3, day_of_month=1),
    },
    "fail-stale-exports": {
        "task": "presales.exports.tasks.fail_stale_exports_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Export jobs still queued 5 minutes after their message was sent are enqueued again
    # (the broker was down or lost it); running one twice writes nothing twice.
    "recover-queued-exports": {
        "task": "presales.exports.tasks.recover_queued_exports_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # R-DEMO-2: a demo whose end passed while still marked started owes its feedback.
    "start-demo-feedback-timers": {
        "task": "proposals.demos.tasks.start_demo_feedback_timers_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # R-KPI-3: on the 1st, last month's draft report for every team with a manager (idempotent).
    "generate-team-reports": {
        "task": "kpi.reports.tasks.generate_team_reports_task",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
    # Generated documents (issue 12): fail renderings whose worker died, re-send lost messages.
    "sweep-documents": {
        "task": "presales.documents.tasks.sweep_documents_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # R-POST-1: surveys due 1, 3, 6 months after acceptance are sent; one reminder; expiry.
    "surveys-send-due": {
        "task": "kpi.surveys.tasks.send_due_surveys_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}
# Satisfaction surveys (R-POST-1, R-POST-3, R-POST-4): the link works this many days, one
# reminder after so many days unanswered; an improvement action is due in so many working days.
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=30)
SURVEY_REMINDER_DAYS = env.int("SURVEY_REMINDER_DAYS", default=7)
IMPROVEMENT_ACTION_DAYS = env.int("IMPROVEMENT_ACTION_DAYS", default=5)
# PDF rendering runs on its own queue, so a burst of documents never delays reminders and
# escalations (the production worker for it: docker-compose.yml ``documents``).
CELERY_TASK_ROUTES = {"presales.documents.tasks.render_document_task": {"queue": "documents"}}

# Business settings an admin may tune through the environment (policies live in the database).
PRESALES = {
    "FIRST_CONTACT_HOURS": env.int("PRESALES_FIRST_CONTACT_HOURS", default=24),
    # Absolute links in emails and chat messages; "Due soon" on the deadlines page.
    "SITE_URL": env.str("PRESALES_SITE_URL", default=""),
    "DUE_SOON_HOURS": env.int("PRESALES_DUE_SOON_HOURS", default=48),
    # Exports up to this many rows download at once; larger ones run as background jobs.
    "EXPORT_SYNC_MAX_ROWS": env.int("PRESALES_EXPORT_SYNC_MAX_ROWS", default=2000),
    # Address space a PDF rendering may add to its worker before it fails (issue 12).
    "DOCUMENT_MEMORY_MB": env.int("PRESALES_DOCUMENT_MEMORY_MB", default=600),
}

# API throttle counters live in the cache: give every web worker the same one in production
# (CACHE_URL=redis://redis:6379/1); the default is per process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# Content-Security-Policy (django-csp): everything from this site, no inline script anywhere
# (templates load static/js/*.js; htmx is configured in base.html not to inject styles or
# evaluate code). Styles stay 'self' too. The Swagger UI page relaxes styles for itself only
# (presales/urls.py). data: images are Bootstrap's inline SVG icons (checkbox, close, toggler).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features this site never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# One console handler, on the root logger. Django's own default config gives the "django"
# logger a second console handler when DEBUG is on; records then reached both and every
# 403 printed twice, with its traceback. Here "django" only propagates to the root (keeping
# Django's mail to ADMINS for errors), and a refused request (4xx) is one line, no traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors_without_traceback": {"()": "presales.core.logs.ClientErrorsWithoutTraceback"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors_without_traceback"]},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        # WeasyPrint narrates every rendering step at INFO; its warnings (a refused URL) stay.
        "weasyprint.progress": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

# R-RISK-1: the risk register's thresholds on the score (likelihood × impact, 1..25): from
# RISK_WARNING_SCORE a risk alerts its owner, from RISK_HIGH_SCORE an open one blocks the
# contract's approval until a manager accepts it. RISK_REVIEW_DAYS: the default review interval.
RISK_WARNING_SCORE = env.int("RISK_WARNING_SCORE", default=12)
RISK_HIGH_SCORE = env.int("RISK_HIGH_SCORE", default=15)
RISK_REVIEW_DAYS = env.int("RISK_REVIEW_DAYS", default=30)

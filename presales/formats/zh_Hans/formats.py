"""Business number format for zh_Hans: amounts grouped by thousands with commas (2,600,000),
as Chinese contracts and quotes write them; Django's own zh_Hans format has no separator."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

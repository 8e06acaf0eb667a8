"""Business number format for zh_Hant: amounts grouped by thousands with commas (2,600,000),
as Chinese contracts and quotes write them; Django's own zh_Hant format has no separator."""

from django.conf.locale.zh_Hant.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

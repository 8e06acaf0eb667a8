"""Console logging (issue 8): a refused request is one warning line, printed once, even with
DEBUG on (``make run``), where Django's own console handler used to print it a second time."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils.log import configure_logging

pytestmark = pytest.mark.django_db


def test_a_403_is_logged_once_as_one_line_without_traceback(client, no_role_user, settings, capsys):
    # given DEBUG on and the project's logging config, writing to the captured stderr
    settings.DEBUG = True
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)
    try:
        client.force_login(no_role_user)
        # when a user without a role opens a page they may not see
        response = client.get(reverse("opportunities:board"))
        err = capsys.readouterr().err
    finally:
        with capsys.disabled():
            configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)
    # then the console shows one "Forbidden" line and no traceback
    assert response.status_code == 403
    assert [line for line in err.splitlines() if "Forbidden" in line] == [
        "Forbidden (Permission denied): /opportunities/"
    ]
    assert "Traceback" not in err

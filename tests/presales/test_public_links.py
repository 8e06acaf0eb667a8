"""The shared base of the customer's pages without an account (R-NEED-3, R-POST-1):
``presales.web.public_links``. The pages themselves are tested in tests/proposals/needs and
tests/kpi/surveys; here, what the base decides for both."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from kpi.surveys.public import SurveyPublicView
from presales.web.public_links import PublicLinkView, client_address, over_rate_limit
from proposals.needs.public import ConfirmationPublicView


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_r_need_3_r_post_1_the_client_is_the_address_the_trusted_proxy_appended(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.AXES_IPWARE_PROXY_COUNT = None
    assert client_address(request) == "10.0.0.1"  # no proxy trusted: the header is ignored
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.9"  # not the address the client wrote itself
    settings.AXES_IPWARE_PROXY_COUNT = 3
    assert client_address(request) == "10.0.0.1"  # fewer hops than proxies: the socket's


def test_r_need_3_r_post_1_limits_count_per_token_per_address_and_per_page():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")
    limits = {"per_token": 2, "per_address": 3, "window": 60}
    assert not over_rate_limit(request, "a", scope="one", **limits)
    assert not over_rate_limit(request, "a", scope="one", **limits)
    assert over_rate_limit(request, "a", scope="one", **limits)  # third for this token
    assert over_rate_limit(request, "b", scope="one", **limits)  # fourth from this address
    assert not over_rate_limit(request, "a", scope="other", **limits)  # another page counts apart


@pytest.mark.parametrize("view", [SurveyPublicView, ConfirmationPublicView])
def test_r_need_3_r_post_1_both_pages_share_the_base_and_are_csrf_exempt(view):
    assert issubclass(view, PublicLinkView)
    assert view.as_view().csrf_exempt
    assert view.rate_scope and view.refused_template

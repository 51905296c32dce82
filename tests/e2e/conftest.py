"""Fixtures shared by the end-to-end modules."""

from __future__ import annotations

import pytest

from tests.fakes.slack_api import FakeSlack


@pytest.fixture(scope="module")
def fake_slack():
    """The local fake Slack Web API server, one per test module."""
    server = FakeSlack().start()
    yield server
    server.stop()

import pytest

from bot.links import safe_url


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/moduler/4", "https://example.org/moduler/4"),
        ("http://example.org", "http://example.org"),
        ("HTTPS://Example.org/a?b=c#d", "HTTPS://Example.org/a?b=c#d"),
        ("  https://example.org/x \n", "https://example.org/x"),
        ("https://user@example.org:8443/p", "https://user@example.org:8443/p"),
    ],
)
def test_http_and_https_links_with_a_host_pass(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\x00javascript:alert(1)",
        "\x01\x1fjavascript:alert(1)",
        "java\nscript:alert(1)",
        "java\tscript:alert(1)",
        "\u00a0javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "DATA:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "mailto:someone@example.org",
        "ftp://example.org/file",
        "/read/m04-legal-form-nb",
        "read/m04",
        "example.org/path",
        "//evil.example/path",
        "https://",
        "https:///path-without-host",
        "https://[::1",
        "https://exa mple.org/",
        "https://example.org/\x7f",
    ],
)
def test_everything_else_is_refused(url):
    assert safe_url(url) is None


def test_non_strings_are_refused():
    assert safe_url(42) is None  # type: ignore[arg-type]
    assert safe_url(["https://example.org"]) is None  # type: ignore[arg-type]

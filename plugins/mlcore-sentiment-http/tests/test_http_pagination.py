"""Pagination helpers over a loopback server: pages, cursors, next links."""

from __future__ import annotations

import pytest

from mlcore_sentiment_http import (
    HttpSettings,
    ProviderClient,
    iter_cursor,
    iter_next_links,
    iter_pages,
)
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply

ARTICLES = [f"article-{i}" for i in range(7)]


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def client(server):
    with ProviderClient("acme", HttpSettings(base_url=server.url), clock=FakeClock()) as made:
        yield made


def paged(request):
    page, size = int(request.param("page")), int(request.param("pageSize"))
    chunk = ARTICLES[(page - 1) * size : page * size]
    return Reply(json={"totalResults": len(ARTICLES), "articles": chunk})


def test_numbered_pages_stop_at_the_total(server, client):
    server.route("/everything", paged)
    fetched = list(
        iter_pages(
            lambda n: client.get_json("/everything", {"page": n, "pageSize": 3}),
            items=lambda body: body["articles"],
            total=lambda body: body["totalResults"],
        )
    )
    assert fetched == ARTICLES
    assert [r.param("page") for r in server.requests] == ["1", "2", "3"]


def test_numbered_pages_stop_at_an_empty_page(server, client):
    server.route("/everything", Reply(json={"articles": ["a", "b"]}), Reply(json={"articles": []}))
    fetched = list(
        iter_pages(
            lambda n: client.get_json("/everything", {"page": n}),
            items=lambda body: body["articles"],
        )
    )
    assert fetched == ["a", "b"]
    assert len(server.requests) == 2


def test_a_short_page_is_the_last(server, client):
    server.route("/everything", paged)
    fetched = list(
        iter_pages(
            lambda n: client.get_json("/everything", {"page": n, "pageSize": 4}),
            items=lambda body: body["articles"],
            page_size=4,
        )
    )
    assert fetched == ARTICLES
    assert len(server.requests) == 2


def test_cursor_pagination_follows_until_no_cursor(server, client):
    pages = {None: (["a", "b"], "c1"), "c1": (["c"], "c2"), "c2": ([], None)}

    def by_cursor(request):
        items, following = pages[request.param("cursor")]
        return Reply(json={"data": items, "meta": {"next_token": following}})

    server.route("/search", by_cursor)
    fetched = list(
        iter_cursor(
            lambda cursor: client.get_json("/search", {"cursor": cursor}),
            items=lambda body: body["data"],
            next_cursor=lambda body: body["meta"].get("next_token"),
        )
    )
    assert fetched == ["a", "b", "c"]
    assert [r.param("cursor") for r in server.requests] == [None, "c1", "c2"]


def test_a_repeating_cursor_stops_instead_of_looping(server, client, caplog):
    server.route("/search", Reply(json={"data": ["x"], "next": "same"}))
    fetched = list(
        iter_cursor(
            lambda cursor: client.get_json("/search", {"cursor": cursor}),
            items=lambda body: body["data"],
            next_cursor=lambda body: body["next"],
        )
    )
    assert fetched == ["x", "x"]
    assert "came back a second time" in caplog.text


def test_link_header_next_links(server, client):
    base = server.url
    server.route(
        "/messages",
        Reply(json=[1, 2], headers={"Link": f'<{base}/messages?after=2>; rel="next"'}),
        Reply(json=[3], headers={"Link": f'<{base}/messages?after=3>; rel="next"'}),
        Reply(json=[]),
    )
    fetched = list(iter_next_links(client, "/messages", {"limit": 2}, items=lambda r: r.data))
    assert fetched == [1, 2, 3]
    assert [r.param("after") for r in server.requests] == [None, "2", "3"]
    assert server.requests[0].param("limit") == "2"


def test_next_link_in_the_body(server, client):
    server.route(
        "/v1/items",
        Reply(json={"results": ["a"], "next": "/v1/items?page=2"}),
        Reply(json={"results": ["b"], "next": None}),
    )
    fetched = list(
        iter_next_links(
            client,
            "/v1/items",
            items=lambda r: r.data["results"],
            next_link=lambda r: r.data.get("next"),
        )
    )
    assert fetched == ["a", "b"]

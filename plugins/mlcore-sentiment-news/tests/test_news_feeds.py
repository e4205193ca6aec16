"""Feed parsing (RSS 2.0, RSS 1.0, Atom; encodings; XML attacks refused), the NewsAPI query."""

from __future__ import annotations

import pandas as pd
import pytest
from mlcore.errors import SentimentSourceError

from mlcore_sentiment_news.feeds import parse_feed, plain_text
from mlcore_sentiment_news.newsapi import newsapi_query

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Markets</title>
    <link>https://news.example.com/</link>
    <item>
      <title>Apple beats estimates</title>
      <link>https://news.example.com/a1</link>
      <description>&lt;p&gt;Apple &amp;amp; Co &lt;b&gt;beat&lt;/b&gt;&lt;/p&gt;</description>
      <pubDate>Mon, 01 Dec 2025 14:30:00 +0100</pubDate>
      <guid isPermaLink="false">a1-guid</guid>
      <dc:creator>Jane Doe</dc:creator>
    </item>
    <item>
      <title>Undated item</title>
      <link>https://news.example.com/a2</link>
    </item>
  </channel>
</rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example</title>
  <entry>
    <title type="html">Apple &lt;i&gt;cuts&lt;/i&gt; guidance</title>
    <link rel="enclosure" href="https://cdn.example.com/a.mp3"/>
    <link rel="alternate" href="https://news.example.com/b1"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2025-12-02T09:00:00Z</published>
    <updated>2025-12-02T11:15:00+02:00</updated>
    <summary>Weaker demand.</summary>
    <author><name>John Roe</name></author>
  </entry>
</feed>"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.com/"><title>Old style</title></channel>
  <item rdf:about="https://news.example.com/c1">
    <title>AAPL options active</title>
    <link>https://news.example.com/c1</link>
    <dc:date>2025-12-03T08:00:00-05:00</dc:date>
  </item>
</rdf:RDF>"""


def test_rss2_items():
    first, undated = parse_feed(RSS, "https://feeds.example.com/rss")
    assert first.title == "Apple beats estimates"
    assert first.summary == "Apple & Co beat"
    assert first.link == "https://news.example.com/a1"
    assert first.id == "a1-guid"
    assert first.author == "Jane Doe"
    # 14:30 at +01:00 is 13:30 UTC.
    assert first.published_at == pd.Timestamp("2025-12-01T13:30:00Z")
    assert undated.published_at is None


def test_atom_entry_takes_the_later_of_published_and_updated():
    (entry,) = parse_feed(ATOM, "https://feeds.example.com/atom")
    assert entry.title == "Apple cuts guidance"
    assert entry.link == "https://news.example.com/b1"
    assert entry.author == "John Roe"
    assert entry.summary == "Weaker demand."
    # updated 11:15 at +02:00 = 09:15 UTC, after published 09:00 UTC: the text as updated.
    assert entry.published_at == pd.Timestamp("2025-12-02T09:15:00Z")


def test_rss1_rdf_items():
    (item,) = parse_feed(RDF, "https://feeds.example.com/rdf")
    assert item.id == "https://news.example.com/c1"
    assert item.published_at == pd.Timestamp("2025-12-03T13:00:00Z")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss><channel><item><title>&lol3;</title></item></channel></rss>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title></item></channel></rss>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_attacks_are_refused(document):
    with pytest.raises(SentimentSourceError, match="declares XML entities") as raised:
        parse_feed(document, "https://evil.example.com/feed")
    assert "https://evil.example.com/feed" in str(raised.value)


def test_malformed_xml_names_the_feed():
    with pytest.raises(SentimentSourceError, match="not well-formed XML") as raised:
        parse_feed("<rss><channel><item>", "https://feeds.example.com/broken")
    assert "https://feeds.example.com/broken" in str(raised.value)


def test_a_web_page_is_not_a_feed():
    with pytest.raises(SentimentSourceError, match="<html>, not an RSS or Atom feed"):
        parse_feed("<html><body>Moved</body></html>", "https://feeds.example.com/page")


def test_plain_text_of_html():
    assert (
        plain_text("<p>Q3&nbsp;results:<br/>up 5%</p>") == "Q3 results: up 5%"
    )  # nbsp is whitespace too
    assert plain_text("  no   markup ") == "no markup"


def test_newsapi_query_quotes_each_keyword_once():
    assert newsapi_query("AAPL", ["Apple", "AAPL"]) == '"AAPL" OR "Apple"'


LATIN_FEED = """<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel><title>March\u00e9s</title>
<item><title>Soci\u00e9t\u00e9 G\u00e9n\u00e9rale: \u00a35 \u00e0 M\u00fcnchen</title>
<link>https://news.example.com/sg</link><pubDate>Mon, 01 Dec 2025 14:30:00 GMT</pubDate></item>
</channel></rss>"""
TITLE = "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale: \u00a35 \u00e0 M\u00fcnchen"


def test_bytes_follow_the_encoding_of_the_xml_declaration():
    (entry,) = parse_feed(LATIN_FEED.encode("iso-8859-1"), "https://feeds.example.com/fr")
    assert entry.title == TITLE


def test_a_charset_header_takes_precedence_over_the_declaration():
    # RFC 7303: the charset of the Content-Type header is authoritative.
    document = LATIN_FEED.replace("ISO-8859-1", "UTF-8").encode("cp1252")
    (entry,) = parse_feed(document, "https://feeds.example.com/fr", charset="cp1252")
    assert entry.title == TITLE


def test_an_unknown_charset_leaves_the_declaration_to_decide():
    (entry,) = parse_feed(LATIN_FEED.encode("iso-8859-1"), "https://x/fr", charset="klingon")
    assert entry.title == TITLE

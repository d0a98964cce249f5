"""The rules' vocabulary in one place: Apple's lists and limits, Podcasting 2.0's limits.

Everything the builder emits and the validator checks comes from here, so a value that
Apple or the Podcast Index changes is edited once.
"""

from __future__ import annotations

import re
import uuid

# Apple's current category list (Podcasts Connect, 2019 onward): category -> subcategories.
# podcast-partytime checks categories against the same list and drops unknown ones.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health",
                         "Nutrition", "Sexuality"),
    "History": (),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
             "Sports News", "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel",
                          "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf",
               "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball",
               "Wilderness", "Wrestling"),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews",
                  "TV Reviews"),
    "Technology": (),
    "True Crime": (),
}

# itunes:explicit as we write it: true/false, the only values Apple's current guide and the W3C
# Feed Validator accept (it reports yes/no/clean as errors). podcastparser (gPodder) and
# podcast-partytime (Podcast Index) read true/false. feedparser 6.0.14 maps only "yes" to True
# and "clean" to False; "true", "false" (and "no") all read as None, so a feedparser-based client
# shows an explicit show as not explicit (kurtmckee/feedparser#524, fixed by #567 after 6.0.14).
EXPLICIT_VALUE = {True: "true", False: "false"}
# What the validator accepts without comment, and the old spellings it only warns about (Apple's
# older guide listed yes/explicit and no/clean; Apple and the apps still read them).
EXPLICIT_ACCEPTED = frozenset({"true", "false"})
EXPLICIT_LEGACY = frozenset({"yes", "no", "clean", "explicit"})

# Apple's enclosure types, by file extension.
ENCLOSURE_TYPES: dict[str, str] = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".pdf": "application/pdf",
}
# What `showrunner feed` publishes: Apple's types that play (no PDF episodes).
MEDIA_ENCLOSURES = {suffix: mime for suffix, mime in ENCLOSURE_TYPES.items() if suffix != ".pdf"}
ARTWORK_SUFFIXES = (".jpg", ".png")
ARTWORK_MIN_PX, ARTWORK_MAX_PX = 1400, 3000
DESCRIPTION_MAX_BYTES = 4000
TAG_VALUE_MAX_CHARS = 255
EPISODE_TYPES = frozenset({"full", "trailer", "bonus"})
SHOW_TYPES = frozenset({"episodic", "serial"})

# Podcasting 2.0 (https://podcastindex.org/namespace/1.0).
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_NS_OLD = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
PSC_NS = "http://podlove.org/simple-chapters"  # Podlove Simple Chapters 1.2
PSC_VERSION = "1.2"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
PERSON_NAME_MAX = 128
SEASON_NAME_MAX = 128
EPISODE_DISPLAY_MAX = 32
LOCKED_VALUES = frozenset({"yes", "no"})
CHAPTERS_TYPE = "application/json+chapters"
TRANSCRIPT_REL = "captions"
# The transcript types the namespace lists (application/srt is how partytime normalises SRT).
TRANSCRIPT_TYPES = frozenset({"text/plain", "text/html", "text/vtt", "application/json",
                              "application/x-subrip", "application/srt"})


def podcast_guid_for(feed_url: str) -> str:
    """podcast:guid per the namespace: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


# Characters XML 1.0 cannot carry at all; lxml refuses them, so user text is cleaned first.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """`text` without the control characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)

"""What kind of thing a URL names, by its scheme and extension: a page, an attachment, a static file."""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

# Requested without reading the body: a HEAD, falling back to a GET cut after the headers.
ATTACHMENT_EXTENSIONS = frozenset(
    [
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".zip",
        ".rar",
        ".7z",
        ".wps",
        ".et",
        ".ofd",
        ".txt",
        ".csv",
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".bmp",
        ".webp",
        ".svg",
        ".ico",
        ".mp3",
        ".mp4",
        ".avi",
        ".wmv",
        ".flv",
    ]
)
# Never parsed as pages (but still checked when linked).
STATIC_EXTENSIONS = frozenset([".css", ".js", ".json", ".xml", ".woff", ".woff2", ".ttf", ".eot"])


def extension(url: str) -> str:
    """The lower-case file extension of a URL's path (``.pdf``), or ''."""
    return posixpath.splitext(urlsplit(url).path)[1].lower()


def is_attachment(url: str) -> bool:
    """True for documents and media whose body gongkai never needs."""
    return extension(url) in ATTACHMENT_EXTENSIONS


def is_page_candidate(url: str) -> bool:
    """True when a URL may be an HTML page worth parsing."""
    ext = extension(url)
    return ext not in ATTACHMENT_EXTENSIONS and ext not in STATIC_EXTENSIONS

"""`[tool.hipcheck.links]`: how headings get their ids, what an image credit must say, and how hard
`--online` may call the hosts an article links to."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SlugStyle = Literal["pandoc", "gfm", "markdown-it", "mkdocs"]

# Words that name a licence or a permission in an image credit ("Jane Doe, CC BY 4.0", "public domain").
DEFAULT_LICENCE_WORDS = [
    "CC BY",
    "CC-BY",
    "CC0",
    "Creative Commons",
    "public domain",
    "licence",
    "license",
    "licensed",
    "all rights reserved",
    "with permission",
    "GFDL",
    "Open Government Licence",
]


class LinkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="links and media")

    heading_ids: SlugStyle = Field(
        "pandoc",
        alias="heading-ids",
        description=(
            "How the renderer turns headings into ids, for checking `#anchor` links: pandoc (also Quarto and "
            "R Markdown), gfm (GitHub), markdown-it (markdown-it-py's anchors plugin, MyST) or mkdocs "
            "(Python-Markdown's toc extension)."
        ),
    )
    image_credit_licence: bool = Field(
        False,
        alias="image-credit-licence",
        description="Require every image credit to name a licence or permission (one of `licence-words`).",
    )
    licence_words: list[str] = Field(
        default_factory=lambda: list(DEFAULT_LICENCE_WORDS),
        alias="licence-words",
        description="Words that name a licence or permission in an image credit (case-insensitive).",
    )

    # --- hipcheck check --online: external links ---------------------------------------------------
    check_external: bool = Field(
        True,
        alias="check-external",
        description="With --online, ask every http(s) link's host whether the page is there.",
    )
    cache: str = Field(
        ".hipcheck/links.json",
        description=(
            "The external-link answers, relative to the content root; commit it so offline runs report "
            "what the last online run found (as the verification cache does for DOIs)."
        ),
    )
    allow_private_hosts: bool = Field(
        False,
        alias="allow-private-hosts",
        description=(
            "Ask hosts that are loopback, private or link-local addresses (or `localhost`). Off: a link in "
            "a pull request must not make a CI runner call its own network."
        ),
    )
    host_concurrency: int = Field(
        2, ge=1, le=4, alias="host-concurrency", description="Concurrent requests to one host."
    )
    host_rate: float = Field(1.0, gt=0, le=5, alias="host-rate", description="Requests per second to one host.")
    timeout: float = Field(10.0, gt=0, le=60, description="Seconds to wait for one response.")
    deadline: float = Field(300.0, gt=0, description="Seconds for checking all external links of a run.")
    max_body_bytes: int = Field(
        65536,
        ge=0,
        le=1 << 20,
        alias="max-body-bytes",
        description="Bytes of a page read when HEAD is refused and GET is used (only the status counts).",
    )
    max_redirects: int = Field(
        5, ge=0, le=20, alias="max-redirects", description="Redirects followed before a link counts as unverifiable."
    )
    max_links: int = Field(
        5000, ge=0, alias="max-links", description="External links checked in one run; the rest wait for the next."
    )
    ok_ttl_days: float = Field(
        30, gt=0, alias="ok-ttl-days", description="Days before a link that worked is checked again."
    )
    broken_ttl_days: float = Field(
        7, gt=0, alias="broken-ttl-days", description="Days before a broken link is checked again."
    )

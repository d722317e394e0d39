"""`[tool.hipcheck.online]`: who we are to the services, where they are, how hard we may call them, and TTLs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Published limits, which the settings cannot exceed: Crossref asks for at most 3 concurrent requests in
# its polite pool (and 1 without a mailto); NCBI allows 3 requests/second, 10 with an API key.
CROSSREF_MAX_CONCURRENCY = 3
CROSSREF_PUBLIC_CONCURRENCY = 1
NCBI_RATE_WITHOUT_KEY = 3.0
NCBI_RATE_WITH_KEY = 10.0


class OnlineSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="online verification")

    mailto: str | None = Field(
        None,
        description="Contact address sent to Crossref (its polite pool) and NCBI, as they ask of API clients.",
    )
    cache: str = Field(
        ".hipcheck/verification.json",
        description="The verification cache, relative to the content root; commit it so offline runs use it.",
    )
    doi_api: str = Field("https://doi.org/api/handles", alias="doi-api", description="doi.org handle API.")
    crossref_api: str = Field("https://api.crossref.org", alias="crossref-api", description="Crossref REST API.")
    ncbi_api: str = Field(
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils", alias="ncbi-api", description="NCBI E-utilities."
    )
    ncbi_api_key_env: str = Field(
        "NCBI_API_KEY",
        alias="ncbi-api-key-env",
        description="Environment variable holding an NCBI API key (raises NCBI's limit to 10 requests/s).",
    )

    existence_ttl_days: float = Field(
        180,
        gt=0,
        alias="existence-ttl-days",
        description="Days before a found DOI/PMID and its metadata are re-checked.",
    )
    retraction_ttl_days: float = Field(
        14, gt=0, alias="retraction-ttl-days", description="Days before a DOI's retraction status is re-checked."
    )
    not_found_ttl_days: float = Field(
        7, gt=0, alias="not-found-ttl-days", description="Days before an identifier found missing is re-checked."
    )

    timeout: float = Field(10.0, gt=0, description="Seconds to wait for one response.")
    deadline: float = Field(300.0, gt=0, description="Seconds for the whole online verification.")
    retries: int = Field(3, ge=0, le=10, description="Retries of a request answered 429 or 5xx.")
    backoff: float = Field(1.0, ge=0, description="First retry delay in seconds; it doubles per retry, with jitter.")
    max_retry_after: float = Field(
        60.0, ge=0, alias="max-retry-after", description="Give up (unverified) when a service asks to wait longer."
    )

    doi_rate: float = Field(5.0, gt=0, le=20, alias="doi-rate", description="doi.org requests per second.")
    doi_concurrency: int = Field(3, ge=1, le=5, alias="doi-concurrency", description="Concurrent doi.org requests.")
    crossref_rate: float = Field(5.0, gt=0, le=10, alias="crossref-rate", description="Crossref requests per second.")
    crossref_concurrency: int = Field(
        CROSSREF_MAX_CONCURRENCY,
        ge=1,
        le=CROSSREF_MAX_CONCURRENCY,
        alias="crossref-concurrency",
        description="Concurrent Crossref requests (1 when there is no mailto).",
    )
    ncbi_rate: float = Field(
        NCBI_RATE_WITHOUT_KEY,
        gt=0,
        le=NCBI_RATE_WITH_KEY,
        alias="ncbi-rate",
        description="NCBI requests per second (at most 3 without an API key).",
    )
    ncbi_concurrency: int = Field(1, ge=1, le=3, alias="ncbi-concurrency", description="Concurrent NCBI requests.")
    ncbi_batch: int = Field(100, ge=1, le=200, alias="ncbi-batch", description="PMIDs per E-utilities request.")

    title_similarity: float = Field(
        90,
        ge=0,
        le=100,
        alias="title-similarity",
        description="Lowest title similarity (rapidfuzz token_set_ratio, 0-100) that counts as the same title.",
    )

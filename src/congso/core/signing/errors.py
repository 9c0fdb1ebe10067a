"""Errors of the signing package that are not the caller's fault (the rest are ``InvalidInput``)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from congso.core.errors import DomainError


class TimestampUnavailable(DomainError):
    """The configured time-stamping authority (``SIGNING_TSA_URL``) did not answer: the document
    is not signed rather than signed without the timestamp the deployment asks for."""

    status = 503
    slug = "timestamp-unavailable"
    title = gettext_noop("Không lấy được dấu thời gian")

"""The OpenAPI schema's view of what every operation may answer (issue 15, point 4).

drf-spectacular documents the success response of each operation and whatever an
``@extend_schema`` lists. Partners also need the errors every endpoint shares, written once
here rather than on each view: a read may answer 400 (a query parameter the view does not
read, or a bad filter value), 404 (no such public record) and 429 (rate limit); a write
also 401/403 (not an editor), 409/412 (stale version) and 428 (no version). And public
reads need no authentication: their security requirements include the empty one.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from .serializers import ErrorSerializer

READ_ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="A query parameter this endpoint does not read (`detail` names it, "
        "`unknown_parameters` lists them), or an invalid filter value (keyed by parameter).",
    ),
    429: OpenApiResponse(
        ErrorSerializer, description="Rate limit reached; `Retry-After` says when to retry."
    ),
}
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="No such record (or not public: drafts never show)."
)
WRITE_ONLY_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(ErrorSerializer, description="Not an editor."),
    409: OpenApiResponse(ErrorSerializer, description="A conflicting or stale write."),
    412: OpenApiResponse(ErrorSerializer, description="Stale `If-Match` version."),
}


class NewsroomAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._shared_errors().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), direction=direction
                )
        return responses

    def _shared_errors(self) -> dict:
        errors = dict(READ_ERRORS)
        if "{" in self.path or self.method not in permissions.SAFE_METHODS:
            errors[404] = NOT_FOUND
        if self.method not in permissions.SAFE_METHODS:
            errors.update(WRITE_ONLY_ERRORS)
        return errors

    def get_auth(self):
        """Reads are public (the public sees published content; editors, signed in, see
        more): the empty requirement says so. Writes need an editor's token or session."""
        auths = super().get_auth()
        if self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

"""Page-number pagination: ``?page=`` and ``?page_size=`` (default 20, at most 100)."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = (
        f"Number of results per page (1 to {MAX_PAGE_SIZE}; larger values are capped at "
        f"{MAX_PAGE_SIZE}). Default 20."
    )
    page_query_description = "Page number, from 1. A page past the end answers 404."

    def get_page_size(self, request):
        """Like DRF's, but a malformed ``page_size`` is a 400 instead of silently ignored."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return min(size, self.max_page_size)

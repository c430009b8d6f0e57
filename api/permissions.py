"""Who may read what, and who may write (issue 4, point 5)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_editor(request) -> bool:
    """Staff users who may view articles: they see drafts and rejected quotes.

    Memoised on the request because the list, the filters and the caching layer all ask.
    """
    cached = getattr(request, "_newsroom_is_editor", None)
    if cached is None:
        user = getattr(request, "user", None)
        cached = bool(
            user is not None
            and user.is_authenticated
            and user.is_staff
            and user.has_perm("articles.view_article")
        )
        request._newsroom_is_editor = cached
    return cached


class ReadOrEditorWrite(BasePermission):
    """Anyone reads (what they may see is decided by the view's queryset); writes need a
    staff user holding every permission the view lists for the action in
    ``write_permissions`` (e.g. ``{"confirm": ["articles.change_quote"]}``)."""

    message = "Only editors (staff users with the matching permissions) may make changes."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        required = getattr(view, "write_permissions", {}).get(getattr(view, "action", None))
        if required is None:
            return False  # a write the view did not declare is refused
        return user.has_perms(required)

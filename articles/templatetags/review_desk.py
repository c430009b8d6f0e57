"""The admin index's "waiting for review" block (issue 14, point 3)."""

from django import template

from articles.review_desk import BANDS, waiting_by_band

register = template.Library()


@register.inclusion_tag("admin/articles/quote/review_desk_summary.html", takes_context=True)
def review_desk_summary(context):
    """Unreviewed quotes by confidence band, with links into the desk: one query, and
    none for users who may not review quotes."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("articles.change_quote"):
        return {"show": False}
    counts = waiting_by_band()
    return {
        "show": True,
        "total": counts["all"],
        "bands": [(key, label, counts[key]) for key, (label, _) in BANDS.items()],
    }

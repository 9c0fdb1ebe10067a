"""``{% document_tasks doc as doc_tasks %}``: the tasks given from a document that the reader may
see, and whether the reader may give one (for the document's page)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def document_tasks(context: template.Context, document: Any) -> dict[str, Any]:
    from congso.modules.documents.views_tasks import tasks_of_document

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"rows": [], "may_give": False}
    return tasks_of_document(user, document)

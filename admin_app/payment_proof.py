"""The payment screenshot of a request (Подписки, Платежи): a preview on the details page, and the
image itself at `/admin/<view>/proof/{id}`, by the API's rule (ADMIN or its uploader; others 404)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from admin_app.helpers import run_service
from admin_app.views.video_upload import storage_of
from core.errors import NotFound, ServiceError
from core.models import Purchase, Subscription
from core.services import payment_proofs


def proof_cell(model: Subscription | Purchase, _attr: Any) -> Markup:
    """A preview linking to the full image; a legacy value (no proof URL) is shown as plain text."""
    value = model.payment_proof_url
    if not value:
        return Markup("—")
    if payment_proofs.key_of_proof(value) is None:
        return Markup("{}").format(value)
    url = f"../proof/{model.id}"
    return Markup('<a href="{}" target="_blank" rel="noopener">Открыть скриншот<br>'
                  '<img src="{}" alt="Скриншот оплаты" style="max-width:320px;max-height:320px"></a>').format(url, url)


async def serve_proof(request: Request, model: type[Subscription] | type[Purchase]) -> Response:
    pk = request.path_params["pk"]

    def find(session: Any, actor: Any) -> payment_proofs.ProofFile:
        key = payment_proofs.request_proof_key(session, model, pk)
        if key is None:
            raise NotFound(payment_proofs.MSG_NOT_FOUND)
        return payment_proofs.proof_for_view(session, actor=actor, key=key)

    try:
        found = await run_service(request, find)
        chunks = await run_in_threadpool(storage_of(request).open_range, found.key, 0, max(found.size - 1, 0),
                                         private=True)
    except ServiceError as error:
        return PlainTextResponse(error.message, status_code=error.http_status)
    except FileNotFoundError:
        return PlainTextResponse(payment_proofs.MSG_NOT_FOUND, status_code=404)
    return StreamingResponse(chunks, media_type=found.content_type, headers={
        "Content-Disposition": f'inline; filename="{found.filename}"', "Cache-Control": "private, no-store"})

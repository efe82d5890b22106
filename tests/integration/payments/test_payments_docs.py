"""The webhook example of docs/payments.md runs, against the local provider, as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from core.payments import CheckoutRequest, LocalProvider, ProcessedEvents
from core.store import Store

DOC = Path(__file__).resolve().parents[3] / "docs" / "payments.md"


def doc_webhook() -> Any:
    """The ``webhook`` function of the doc's example, compiled from the doc itself."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), flags=re.S)
    [source] = [b for b in blocks if "def webhook(" in b]
    namespace: dict[str, Any] = {}
    exec(compile(source, str(DOC), "exec"), namespace)
    return namespace["webhook"]


def test_the_documented_webhook_credits_once(store: Store) -> None:
    webhook = doc_webhook()
    provider = LocalProvider("whsec_doc", "http://demo.localhost:8000", demo=True, store=store)
    processed = ProcessedEvents(store)
    checkout = provider.create_checkout(
        CheckoutRequest(
            amount=500,
            reference="refill:u:doc",
            success_url="http://demo.localhost:8000/ok",
            cancel_url="http://demo.localhost:8000/no",
        )
    )
    payload, header = provider.confirm(checkout.id)

    assert webhook(provider, processed, payload, header) == 200
    assert webhook(provider, processed, payload, header) == 200  # the replay
    assert webhook(provider, processed, payload + b" ", header) == 400  # tampered
    event = provider.parse_webhook(payload, header)
    record = processed.get(event.id)
    assert record is not None and record.result == "credited"
    assert record.checkout_id == checkout.id
    with store.read() as txn:
        assert processed.events.count(txn) == 1

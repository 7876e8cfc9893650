"""FastAPI dependencies of the payments API: the app's parts and validated path parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from services.payments.components import PaymentsComponents


async def components(request: Request) -> PaymentsComponents:
    """The parts of the app serving ``request``."""
    found: PaymentsComponents = request.app.state.payments
    return found


Components = Annotated[PaymentsComponents, Depends(components)]
CustomerIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
PaymentMethodIdPath = Annotated[str, Path(pattern=r"^pm_[A-Za-z0-9_]{1,61}$")]
PaymentIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]

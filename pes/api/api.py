"""The PES API, ``/api/v1/``. Schema at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from pes.api.auth import TokenAuth

api = NinjaAPI(
    title="PES API",
    version="1",
    description=(
        "Open API of PES, the platform of the Piano metropolitano dell'economia sociale "
        "of the Città metropolitana di Bologna."
    ),
    urls_namespace="api",
)
token_auth = TokenAuth()


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> Any:
    return api.create_response(request, {"detail": "You may not change this resource."}, status=403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> Any:
    return api.create_response(request, {"detail": "Not found."}, status=404)


def field_errors(errors: dict[str, list[str]]) -> NinjaValidationError:
    """Form errors in the same shape ninja uses for schema errors (422)."""
    return NinjaValidationError(
        [
            {"loc": ["body", field], "msg": message, "type": "value_error"}
            for field, messages in errors.items()
            for message in messages
        ]
    )


def service_errors(exc: ValidationError) -> NinjaValidationError:
    """A service's ``ValidationError`` as 422 field errors (``__all__`` for the rest)."""
    if hasattr(exc, "error_dict"):
        return field_errors({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    return field_errors({"__all__": [str(m) for m in exc.messages]})


def _mount_routers() -> None:
    from pes.collaboration.api import router as collaboration_router
    from pes.finance.api import router as finance_router
    from pes.impact.api import router as impact_router
    from pes.inclusion.api import router as inclusion_router
    from pes.incubation.api import router as incubation_router
    from pes.learning.api import router as learning_router
    from pes.plan.api import router as plan_router
    from pes.procurement.api import router as procurement_router
    from pes.registry.api import router as registry_router
    from pes.services.api import router as services_router
    from pes.territory.api import router as territory_router
    from pes.volunteering.api import router as volunteering_router

    api.add_router("/municipalities", territory_router, tags=["territory"])
    api.add_router("/plan", plan_router, tags=["plan"])
    api.add_router("/volunteering", volunteering_router, tags=["volunteering"])
    api.add_router("/procurement", procurement_router, tags=["procurement"])
    api.add_router("/services", services_router, tags=["services"])
    api.add_router("/learning", learning_router, tags=["learning"])
    api.add_router("/collaboration", collaboration_router, tags=["collaboration"])
    api.add_router("/finance", finance_router, tags=["finance"])
    api.add_router("/inclusion", inclusion_router, tags=["inclusion"])
    api.add_router("/impact", impact_router, tags=["impact"])
    api.add_router("/incubation", incubation_router, tags=["incubation"])
    api.add_router("/", registry_router, tags=["registry"])


_mount_routers()

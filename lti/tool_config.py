"""pylti1p3 ``ToolConfAbstract`` backed by a ``RegistrationStore``."""

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from lti.stores import PlatformRegistration, RegistrationStore


def to_pylti_registration(registration: PlatformRegistration) -> Registration:
    """Convert our registration record into pylti1p3's ``Registration``.

    Args:
        registration: The stored registration.

    Returns:
        A pylti1p3 ``Registration`` with the platform URLs set (no tool key: tool
        signing goes through ``lti.keys``).
    """
    result = (
        Registration()
        .set_issuer(registration.issuer)
        .set_client_id(registration.client_id)
        .set_auth_login_url(registration.auth_login_url)
        .set_auth_token_url(registration.auth_token_url)
        .set_key_set_url(registration.jwks_url)
    )
    if registration.auth_audience:
        result.set_auth_audience(registration.auth_audience)
    return result


class StoreToolConf(ToolConfAbstract):
    """Tool configuration that looks every issuer up in the ``RegistrationStore``.

    Every issuer is treated as "many client ids per issuer" (the non-legacy mode of
    pylti1p3), so lookups always go through ``find_registration_by_params``.

    Args:
        registrations: The registration store.
    """

    def __init__(self, registrations: RegistrationStore) -> None:
        # An instance attribute: pylti1p3 declares this dict on the class, shared by
        # every instance.
        self.issuers_relation_types: dict[str, str] = {}
        self._registrations = registrations

    def check_iss_has_one_client(self, iss: str) -> bool:
        """Always False: one issuer may have many client ids (LTI 1.3 core §4.1.2)."""
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        """Always True; see ``check_iss_has_one_client``."""
        return True

    def find_record(
        self, iss: str, client_id: str | None
    ) -> PlatformRegistration | None:
        """Return our registration record for (iss, client_id); "" means no client id."""
        return self._registrations.find_registration(iss, client_id or None)

    def find_registration_by_issuer(  # type: ignore[override]
        self, iss: str, *args: Any, **kwargs: Any
    ) -> Registration | None:
        """Find the issuer's only registration (login initiation without client_id)."""
        return self.find_registration_by_params(iss, None, *args, **kwargs)

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration | None:
        """Find the registration for (iss, client_id), or ``None``."""
        record = self.find_record(iss, client_id)
        return to_pylti_registration(record) if record else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        """Find a deployment of the issuer's only registration."""
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(  # type: ignore[override]
        self,
        iss: str,
        deployment_id: str,
        client_id: str | None,
        *args: Any,
        **kwargs: Any,
    ) -> Deployment | None:
        """Find the deployment registered for (iss, client_id), or ``None``."""
        record = self.find_record(iss, client_id)
        if record is None or deployment_id not in record.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)

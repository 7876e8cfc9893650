"""Settings of the payments service, read from the environment."""

from pydantic import Field

from shared.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    """The shared service settings plus this service's HTTP port (`PAYMENTS_PORT`)."""

    payments_port: int = Field(default=8002, ge=1, le=65535)

    @property
    def port(self) -> int:
        """The port the HTTP API listens on."""
        return self.payments_port

"""Settings of the invoicing service, read from the environment."""

from pydantic import Field

from shared.settings import ServiceSettings


class InvoicingSettings(ServiceSettings):
    """The shared service settings plus this service's HTTP port (`INVOICING_PORT`)."""

    invoicing_port: int = Field(default=8003, ge=1, le=65535)

    @property
    def port(self) -> int:
        """The port the HTTP API listens on."""
        return self.invoicing_port

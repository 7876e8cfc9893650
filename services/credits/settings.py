"""Settings of the credits service, read from the environment."""

from pydantic import Field

from shared.settings import ServiceSettings


class CreditsSettings(ServiceSettings):
    """The shared service settings plus this service's HTTP port (`CREDITS_PORT`)."""

    credits_port: int = Field(default=8001, ge=1, le=65535)

    @property
    def port(self) -> int:
        """The port the HTTP API listens on."""
        return self.credits_port

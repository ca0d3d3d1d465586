"""The OpenAPI schema of the API, served by the app (no UI: Swagger UI would need a CDN)."""

from drf_spectacular.views import SpectacularJSONAPIView

from steadyhand.api.permissions import RegistryPermission


class SchemaView(SpectacularJSONAPIView):
    """Any agency user (every role holds ``api.token``) may read how the API is shaped; it
    holds no agency data."""

    permission_classes = [RegistryPermission]
    required_actions = {"GET": "api.token"}

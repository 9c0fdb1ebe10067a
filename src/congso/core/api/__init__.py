"""The versioned HTTP API (/api/v1/): one NinjaAPI, a router per module, problem+json errors."""

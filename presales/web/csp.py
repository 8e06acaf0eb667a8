"""Per-view relaxations of the site's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY)."""

from csp.decorators import csp_update

# Swagger UI (drf-spectacular-sidecar) ships a <style> block in its page and sets style
# attributes in its markup: styles may be inline on that page only. Scripts stay 'self'.
swagger_csp = csp_update({"style-src": ["'unsafe-inline'"]})

"""Web routes of the proposals app, mounted at /proposals/ (filled by the issue that builds the app)."""

app_name = "proposals"
urlpatterns: list = []

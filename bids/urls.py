"""Web routes of the bids app, mounted at /bids/ (filled by the issue that builds the app)."""

app_name = "bids"
urlpatterns: list = []

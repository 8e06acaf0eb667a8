"""Web routes of the reviews app, mounted at /reviews/ (filled by the issue that builds the app)."""

app_name = "reviews"
urlpatterns: list = []

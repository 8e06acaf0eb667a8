"""Web routes of the leads app, mounted at /leads/."""

app_name = "leads"
urlpatterns: list = []

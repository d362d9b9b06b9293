"""The annual development report's routes (written by the report's part of the app; empty until then)."""

urlpatterns: list = []

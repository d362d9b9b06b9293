from django.urls import path

from edupulse.core import views

app_name = "core"
urlpatterns = [
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("audit/", views.AuditLogListView.as_view(), name="audit-list"),
    path("exports/<int:pk>/", views.ExportJobDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download/", views.ExportJobDownloadView.as_view(), name="export-download"),
]

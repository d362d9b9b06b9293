"""Routes of the annual report (included by ``reports/urls.py``, app_name "reports")."""

from django.urls import path

from edupulse.reports import report_views

urlpatterns = [
    path("reports/annual/", report_views.AnnualCreateView.as_view(), name="annual-create"),
    path("reports/annual/<int:pk>/", report_views.AnnualDetailView.as_view(), name="annual-detail"),
    path("reports/annual/<int:pk>/download/<str:fmt>/", report_views.AnnualDownloadView.as_view(),
         name="annual-download"),
]

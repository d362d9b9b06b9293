from django.urls import path

from edupulse.reports import report_urls, views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/wall/", views.DashboardView.as_view(wall=True), name="dashboard-wall"),
    path("dashboard/<str:code>/", views.DashboardView.as_view(), name="dashboard-region"),
    path("dashboard/<str:code>/data.json", views.DashboardDataView.as_view(), name="dashboard-data"),
]
urlpatterns += report_urls.urlpatterns

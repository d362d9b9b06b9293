from edupulse.reports import report_urls

app_name = "reports"
urlpatterns = [*report_urls.urlpatterns]

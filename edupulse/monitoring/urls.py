from django.urls import path

from edupulse.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.DashboardView.as_view(), name="dashboard"),
    path("monitoring/websites/", views.WebsiteListView.as_view(), name="website-list"),
    path("monitoring/websites/<int:pk>/", views.WebsiteDetailView.as_view(), name="website-detail"),
    path("monitoring/websites/<int:pk>/edit/", views.WebsiteUpdateView.as_view(), name="website-edit"),
    path("monitoring/systems/", views.SystemListView.as_view(), name="system-list"),
    path("monitoring/systems/overdue/", views.OverdueAssessmentListView.as_view(), name="system-overdue"),
    path("monitoring/systems/<int:pk>/", views.SystemDetailView.as_view(), name="system-detail"),
    path("monitoring/systems/<int:pk>/edit/", views.SystemUpdateView.as_view(), name="system-edit"),
    path("monitoring/apps/", views.AppListView.as_view(), name="app-list"),
    path("monitoring/apps/<int:pk>/edit/", views.AppUpdateView.as_view(), name="app-edit"),
    path("monitoring/filings/missing/", views.MissingFilingsView.as_view(), name="filings-missing"),
    path("monitoring/import/<str:kind>/", views.ImportView.as_view(), name="import"),
    path("monitoring/findings/", views.FindingListView.as_view(), name="finding-list"),
    path("monitoring/findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding-detail"),
    path("monitoring/notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("monitoring/notices/new/", views.NoticeCreateView.as_view(), name="notice-create"),
    path("monitoring/notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
    path("monitoring/notices/<int:pk>/issue/", views.NoticeIssueView.as_view(), name="notice-issue"),
    path("monitoring/notices/<int:pk>/document.<str:fmt>", views.NoticeDocumentView.as_view(),
         name="notice-document"),
    path("monitoring/rectification/", views.NoticeItemListView.as_view(), name="item-list"),
    path("monitoring/rectification/<int:pk>/", views.NoticeItemDetailView.as_view(), name="item-detail"),
    path("monitoring/rectification/<int:pk>/acknowledge/", views.ItemAcknowledgeView.as_view(),
         name="item-acknowledge"),
    path("monitoring/rectification/<int:pk>/reprobe/", views.ItemReprobeView.as_view(), name="item-reprobe"),
    path("monitoring/rectification/<int:pk>/evidence/", views.ItemEvidenceView.as_view(), name="item-evidence"),
    path("monitoring/rectification/<int:pk>/document.<str:fmt>", views.ItemDocumentView.as_view(),
         name="item-document"),
    path("monitoring/channels/", views.ChannelListView.as_view(), name="channel-list"),
    path("monitoring/maintenance/", views.WindowListView.as_view(), name="window-list"),
    path("monitoring/alerts/", views.DeliveryListView.as_view(), name="delivery-list"),
]

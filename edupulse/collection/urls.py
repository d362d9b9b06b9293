from django.urls import path

from edupulse.collection import views

app_name = "collection"
urlpatterns = [
    path("collection/", views.OverviewView.as_view(), name="overview"),
    path("collection/submissions/", views.SubmissionListView.as_view(), name="submission-list"),
    path("collection/submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path("collection/submissions/<int:pk>/edit/", views.SubmissionEditView.as_view(), name="submission-edit"),
    path("collection/submissions/<int:pk>/transition/", views.TransitionView.as_view(), name="submission-transition"),
    path("collection/entry/<slug:form>/<str:period>/", views.EntryView.as_view(), name="entry"),
    path("collection/template/<slug:form>/<str:period>/", views.TemplateDownloadView.as_view(), name="template"),
    path("collection/upload/", views.UploadView.as_view(), name="upload"),
    path("collection/upload/errors/<str:token>/", views.ErrorWorkbookView.as_view(), name="upload-errors"),
    path("collection/missing/<slug:form>/<str:period>/", views.MissingSchoolsView.as_view(), name="missing"),
    path("collection/completeness/<slug:form>/<str:period>/", views.CompletenessView.as_view(), name="completeness"),
    path("collection/summary/<slug:form>/<str:period>/", views.SummaryView.as_view(), name="summary"),
    path("collection/outliers/<slug:form>/<str:period>/", views.OutliersView.as_view(), name="outliers"),
    path("collection/extracts/", views.ExtractListView.as_view(), name="extract-list"),
    path("collection/extracts/<int:pk>/", views.ExtractDetailView.as_view(), name="extract-detail"),
]

urlpatterns += [
    path("collection/submissions/bulk/", views.SubmissionBulkReviewView.as_view(), name="submission-bulk"),
    path("collection/completeness/<slug:form>/<str:period>/export.<str:fmt>", views.NotReportedExportView.as_view(),
         name="completeness-export"),
    path("collection/completeness/<slug:form>/<str:period>/remind/", views.ReminderSendView.as_view(), name="remind"),
    path("collection/inbox/read/", views.InboxReadView.as_view(), name="inbox-read"),
]

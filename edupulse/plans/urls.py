from django.urls import path

from edupulse.plans import views

app_name = "plans"
urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/import/", views.PlanImportView.as_view(), name="plan-import"),
    path("plans/overdue/", views.OverdueTaskListView.as_view(), name="overdue"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/report.docx", views.PlanReportView.as_view(), name="plan-report"),
    path("plans/targets/<int:pk>/confirm/", views.TargetConfirmView.as_view(), name="target-confirm"),
    path("plans/targets/<int:pk>/reject/", views.TargetRejectView.as_view(), name="target-reject"),
    path("plans/tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task-detail"),
    path("plans/tasks/<int:pk>/move/", views.TaskMoveView.as_view(), name="task-move"),
    path("plans/tasks/<int:pk>/assign/", views.TaskAssignView.as_view(), name="task-assign"),
    path("plans/updates/<int:pk>/evidence/", views.UpdateEvidenceView.as_view(), name="update-evidence"),
]

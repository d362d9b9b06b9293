"""One router for the whole REST API, so /api/ lists every endpoint in one place."""

from rest_framework.routers import DefaultRouter

from edupulse.accounts.api.views import UserViewSet
from edupulse.collection.api.views import FormViewSet, SavedExtractViewSet, SubmissionViewSet
from edupulse.core.api.views import AuditLogViewSet
from edupulse.indicators.api.views import IndicatorDefinitionViewSet, IndicatorValueViewSet
from edupulse.monitoring.api import views as monitoring
from edupulse.orgs.api.views import RegionViewSet, SchoolViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet)
router.register("schools", SchoolViewSet)
router.register("users", UserViewSet)
router.register("audit", AuditLogViewSet)
router.register("collection/forms", FormViewSet)
router.register("collection/submissions", SubmissionViewSet)
router.register("collection/extracts", SavedExtractViewSet)
router.register("monitoring/websites", monitoring.WebsiteViewSet)
router.register("monitoring/systems", monitoring.InformationSystemViewSet)
router.register("monitoring/apps", monitoring.EducationAppViewSet)
router.register("monitoring/findings", monitoring.FindingViewSet)
router.register("monitoring/site-states", monitoring.SiteStateViewSet)
router.register("monitoring/sweeps", monitoring.SweepViewSet)
router.register("monitoring/notices", monitoring.NoticeViewSet)
router.register("monitoring/notice-items", monitoring.NoticeItemViewSet)
router.register("monitoring/alert-channels", monitoring.AlertChannelViewSet)
router.register("monitoring/alert-deliveries", monitoring.AlertDeliveryViewSet)
router.register("indicators/definitions", IndicatorDefinitionViewSet, basename="indicatordefinition")
router.register("indicators/values", IndicatorValueViewSet)

urlpatterns = router.urls
